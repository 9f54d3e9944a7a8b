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
 * ECS task definitions' container variables likewise (and their secret references: the name of the secret or
 * parameter a variable is read from, no value), and only the names of everything else (SecureString parameters,
 * parameters and variables with secret names, secrets). Committed and uploaded as {@code config/baseline.json}, the
 * document is the declared baseline config-backup compares the live configuration with ({@link ConfigBaseline}). Sorted maps and lists only: the same configuration always gives the same document, byte for byte.
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
                           SortedMap<String, Function> functions, SortedMap<String, TaskDefinition> taskDefinitions) {
        public Document {
            parameters = new TreeMap<>(parameters == null ? Map.of() : parameters);
            secretParameters = List.copyOf(new TreeSet<>(secretParameters == null ? List.of() : secretParameters));
            secrets = List.copyOf(new TreeSet<>(secrets == null ? List.of() : secrets));
            functions = new TreeMap<>(functions == null ? Map.of() : functions);
            taskDefinitions = new TreeMap<>(taskDefinitions == null ? Map.of() : taskDefinitions);
        }
    }

    public record Parameter(String type, String value) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Function(SortedMap<String, String> environment, List<String> secretEnvironment) {
        public Function {
            environment = new TreeMap<>(environment == null ? Map.of() : environment);
            secretEnvironment = List.copyOf(new TreeSet<>(secretEnvironment == null ? List.of() : secretEnvironment));
        }
    }

    /** An ECS task definition family's containers. */
    public record TaskDefinition(SortedMap<String, Container> containers) {
        public TaskDefinition {
            containers = new TreeMap<>(containers == null ? Map.of() : containers);
        }
    }

    /** A container: non-secret variables with values, secret-named ones by name, secret references (name to valueFrom). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Container(SortedMap<String, String> environment, List<String> secretEnvironment, SortedMap<String, String> secrets) {
        public Container {
            environment = new TreeMap<>(environment == null ? Map.of() : environment);
            secretEnvironment = List.copyOf(new TreeSet<>(secretEnvironment == null ? List.of() : secretEnvironment));
            secrets = new TreeMap<>(secrets == null ? Map.of() : secrets);
        }
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
            split(f.environment(), env, secret);
            functions.put(name, new Function(env, List.copyOf(secret)));
        });
        SortedMap<String, TaskDefinition> taskDefinitions = new TreeMap<>();
        snapshot.taskDefinitions().forEach((family, td) -> {
            SortedMap<String, Container> containers = new TreeMap<>();
            td.containers().forEach((name, c) -> {
                SortedMap<String, String> env = new TreeMap<>();
                TreeSet<String> secret = new TreeSet<>();
                split(c.environment(), env, secret);
                containers.put(name, new Container(env, List.copyOf(secret), c.secrets()));
            });
            taskDefinitions.put(family, new TaskDefinition(containers));
        });
        return new Document(parameters, List.copyOf(secretParameters), List.copyOf(new TreeSet<>(snapshot.secrets().keySet())), functions,
                taskDefinitions);
    }

    /** Variables with secret names by name only, the others with their values. */
    private void split(SortedMap<String, String> environment, SortedMap<String, String> values, TreeSet<String> secret) {
        environment.forEach((k, v) -> {
            if (secretNames.secret(k)) {
                secret.add(k);
            } else {
                values.put(k, v);
            }
        });
    }
}
