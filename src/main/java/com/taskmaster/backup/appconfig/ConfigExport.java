package com.taskmaster.backup.appconfig;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.ConfigManifest;
import com.taskmaster.backup.support.InvalidRequestException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * config-export: the non-secret part of a snapshot (the newest, or one named), for version control: String and
 * StringList parameters with their values, environment variables whose names are not secret ({@link SecretNames}),
 * and only the names of everything else (SecureString parameters, parameters and variables with secret names,
 * secrets). Sorted maps and lists only: the same configuration always gives the same document, byte for byte.
 */
public final class ConfigExport {
    private final ConfigStore store;
    private final SecretNames secretNames;

    public ConfigExport(ConfigStore store, SecretNames secretNames) {
        this.store = store;
        this.secretNames = secretNames;
    }

    /** What config-export returns: the snapshot exported and the document to commit (without the id: it would differ each time). */
    public record Result(String snapshotId, Document document) {
    }

    /** The document. Values only where no secret can be. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Document(SortedMap<String, Parameter> parameters, List<String> secretParameters, List<String> secrets,
                           SortedMap<String, Function> functions) {
    }

    public record Parameter(String type, String value) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Function(SortedMap<String, String> environment, List<String> secretEnvironment) {
    }

    /** {@code {}} or {@code {"snapshotId": "<id>"}}. */
    public static Optional<BackupId> fromEvent(Map<String, Object> event) {
        for (String key : event.keySet()) {
            if (!key.equals("snapshotId")) {
                throw new InvalidRequestException("unknown field '" + ConfigRestoreRequest.printable(key)
                        + "' in config-export request; expected {} (the newest snapshot) or {\"snapshotId\": \"<id>\"}");
            }
        }
        return event.containsKey("snapshotId") ? Optional.of(ConfigRestoreRequest.snapshotId(event.get("snapshotId"), "snapshotId"))
                : Optional.empty();
    }

    public Result run(Optional<BackupId> snapshotId) {
        ConfigManifest manifest = snapshotId.map(id -> store.find(id).orElseThrow(
                        () -> new InvalidRequestException("no configuration snapshot " + id + " in the repository")))
                .orElseGet(() -> store.newest().orElseThrow(() -> new InvalidRequestException("no configuration snapshot yet: run config-backup")));
        return new Result(manifest.snapshotId().value(), document(store.read(manifest)));
    }

    /** The pure part: snapshot in, document out. */
    public Document document(ConfigSnapshot snapshot) {
        SortedMap<String, Parameter> parameters = new TreeMap<>();
        TreeSet<String> secretParameters = new TreeSet<>();
        snapshot.parameters().forEach((name, p) -> {
            if (p.secure() || secretNames.secretParameter(name) || !("String".equals(p.type()) || "StringList".equals(p.type()))) {
                secretParameters.add(name);
            } else {
                parameters.put(name, new Parameter(p.type(), p.value()));
            }
        });
        SortedMap<String, Function> functions = new TreeMap<>();
        snapshot.functions().forEach((name, f) -> {
            SortedMap<String, String> env = new TreeMap<>();
            TreeSet<String> secret = new TreeSet<>();
            f.environment().forEach((k, v) -> {
                if (secretNames.secret(k)) {
                    secret.add(k);
                } else {
                    env.put(k, v);
                }
            });
            functions.put(name, new Function(env, List.copyOf(secret)));
        });
        return new Document(parameters, List.copyOf(secretParameters), List.copyOf(new TreeSet<>(snapshot.secrets().keySet())), functions);
    }
}
