package com.taskmaster.backup.appconfig;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ReadableRepository;
import com.taskmaster.backup.support.Json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The declared baseline (issue 15, "regular sync"): an optional {@code config/baseline.json} in the repository, in the
 * format config-export writes ({@link ConfigExport.Document}, or a whole config-export result: its {@code document} is
 * used), which an operator commits to version control and uploads. config-backup compares the export document of the
 * live configuration with it, names only: values where the document has them (String and StringList parameters,
 * variables without secret names, secret references), presence only for everything secret (SecureString parameters,
 * secret-named variables, secrets): a secret's value is never in the baseline, so it is never compared.
 *
 * <p>Names as in {@link ConfigDrift}: added = live, not in the baseline; removed = in the baseline, not live;
 * changed = a different value, or a parameter or variable that is secret on one side and not on the other.
 */
public final class ConfigBaseline {
    /** Where the baseline is read from, in the repository (plain JSON: it holds no secret). */
    public static final ObjectKey KEY = ObjectKey.of("config/baseline.json");

    private ConfigBaseline() {
    }

    /** The baseline cannot be used: unreadable, not JSON, or not the export format. The message says why and what to do. */
    public static final class InvalidBaselineException extends RuntimeException {
        InvalidBaselineException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The baseline, or empty when there is none. */
    public static Optional<ConfigExport.Document> read(ReadableRepository repository) {
        byte[] bytes;
        try {
            bytes = repository.read(KEY);
        } catch (NoSuchObjectException absent) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw invalid(repository, "cannot be read (" + e.getMessage() + ")", e);
        }
        return Optional.of(parse(bytes, repository));
    }

    static ConfigExport.Document parse(byte[] bytes, ReadableRepository repository) {
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw invalid(repository, "is not a JSON object", null);
            }
            if (node.has("document") && node.get("document").isObject()) {
                node = node.get("document"); // a whole config-export result, as the function returned it
            }
            return Json.MAPPER.readerFor(ConfigExport.Document.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).readValue(node);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            // Jackson's message names the field and the position; it quotes no value of ours (the file holds none)
            throw invalid(repository, "is not in the config-export format (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw invalid(repository, "cannot be parsed (" + e.getMessage() + ")", e);
        }
    }

    private static InvalidBaselineException invalid(ReadableRepository repository, String why, Throwable cause) {
        return new InvalidBaselineException("the declared baseline " + repository.uriOf(KEY) + " " + why
                + ": not compared (the snapshot was taken). Upload the document config-export returns, e.g. "
                + "bin/invoke config-export | jq .document > baseline.json, or delete it", cause);
    }

    /** What differs between the baseline and the live configuration's export document (names only). */
    public static ConfigDrift compare(ConfigExport.Document baseline, ConfigExport.Document live) {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        values("parameter ", typed(baseline.parameters()), baseline.secretParameters(), typed(live.parameters()), live.secretParameters(),
                added, removed, changed);
        values("secret ", Map.of(), baseline.secrets(), Map.of(), live.secrets(), added, removed, changed);
        ConfigDrift.nested("function ", baseline.functions(), live.functions(), added, removed, (fn, b, a) ->
                values(fn + ": ", b.environment(), b.secretEnvironment(), a.environment(), a.secretEnvironment(), added, removed, changed));
        ConfigDrift.nested(ConfigDrift.TASK_DEFINITION, baseline.taskDefinitions(), live.taskDefinitions(), added, removed,
                (family, b, a) -> ConfigDrift.nested(family + ": ", b.containers(), a.containers(), added, removed, (c, bc, ac) -> {
                    values(c + ": ", bc.environment(), bc.secretEnvironment(), ac.environment(), ac.secretEnvironment(),
                            added, removed, changed);
                    values(c + ": secret ", bc.secrets(), List.of(), ac.secrets(), List.of(), added, removed, changed);
                }));
        return new ConfigDrift(added, removed, changed);
    }

    /** A parameter's type and value as one comparable text (a StringList that became a String has changed). */
    private static SortedMap<String, String> typed(SortedMap<String, ConfigExport.Parameter> parameters) {
        SortedMap<String, String> out = new TreeMap<>();
        parameters.forEach((name, p) -> out.put(name, p.type() + "\n" + p.value()));
        return out;
    }

    /** Names with values ({@code valued}) and names only ({@code secret}), on each side. */
    private static void values(String kind, Map<String, String> baseValued, List<String> baseSecret, Map<String, String> liveValued,
                               List<String> liveSecret, List<String> added, List<String> removed, List<String> changed) {
        Set<String> baseSecrets = new TreeSet<>(baseSecret);
        Set<String> liveSecrets = new TreeSet<>(liveSecret);
        Set<String> base = ConfigDrift.union(baseValued.keySet(), baseSecrets);
        Set<String> live = ConfigDrift.union(liveValued.keySet(), liveSecrets);
        for (String name : ConfigDrift.union(base, live)) {
            if (!base.contains(name)) {
                added.add(kind + name);
            } else if (!live.contains(name)) {
                removed.add(kind + name);
            } else if (baseSecrets.contains(name) != liveSecrets.contains(name)
                    || (!baseSecrets.contains(name) && !java.util.Objects.equals(baseValued.get(name), liveValued.get(name)))) {
                changed.add(kind + name);
            }
        }
    }
}
