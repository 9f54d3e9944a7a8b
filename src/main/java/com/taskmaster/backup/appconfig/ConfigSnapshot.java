package com.taskmaster.backup.appconfig;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.ConfigManifest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One configuration snapshot, the plaintext inside a configuration data object (FORMAT.md section 12): the Parameter
 * Store parameters under the configured paths (SecureString values decrypted), the configured Secrets Manager
 * secrets' current values, the configured Lambda functions' environments and the configured ECS task definitions'
 * container environments (absent in snapshots taken before they were added: read as none). Maps are sorted by name,
 * so the JSON is canonical: the same configuration always serialises to the same bytes.
 *
 * <p>The values are secrets: {@link #toString()} of this record and its parts shows names only, so that no log line
 * or exception message built from them carries a value.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigSnapshot(int formatVersion, BackupId snapshotId, Instant takenAt, SortedMap<String, Parameter> parameters,
                             SortedMap<String, Secret> secrets, SortedMap<String, Function> functions,
                             SortedMap<String, TaskDefinition> taskDefinitions) {
    public static final int FORMAT_VERSION = 1;

    /** Without task definitions. */
    public ConfigSnapshot(int formatVersion, BackupId snapshotId, Instant takenAt, SortedMap<String, Parameter> parameters,
                          SortedMap<String, Secret> secrets, SortedMap<String, Function> functions) {
        this(formatVersion, snapshotId, takenAt, parameters, secrets, functions, null);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public ConfigSnapshot {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported configuration snapshot format version " + formatVersion);
        }
        Objects.requireNonNull(snapshotId, "snapshotId");
        Objects.requireNonNull(takenAt, "takenAt");
        parameters = new TreeMap<>(parameters == null ? Map.of() : parameters);
        secrets = new TreeMap<>(secrets == null ? Map.of() : secrets);
        functions = new TreeMap<>(functions == null ? Map.of() : functions);
        taskDefinitions = new TreeMap<>(taskDefinitions == null ? Map.of() : taskDefinitions);
    }

    /** A Parameter Store parameter: type ({@code String}, {@code StringList}, {@code SecureString}), value, version, time. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Parameter(String type, String value, Long version, Instant lastModified, String dataType) {
        public Parameter {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(value, "value");
        }

        public boolean secure() {
            return "SecureString".equals(type);
        }

        /** Same type and value (version and time are history, not content). */
        public boolean sameContent(Parameter o) {
            return type.equals(o.type) && value.equals(o.value) && Objects.equals(dataType, o.dataType);
        }

        @Override
        public String toString() {
            return "Parameter[" + type + ", version " + version + "]";
        }
    }

    /**
     * A Secrets Manager secret's current version: ARN, value ({@code string}, or {@code binary} in base64), version id,
     * staging labels.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Secret(String arn, String string, String binary, String versionId, List<String> stages) {
        public Secret {
            if ((string == null) == (binary == null)) {
                throw new IllegalArgumentException("a secret has a string or a binary value");
            }
            stages = stages == null ? List.of() : List.copyOf(stages);
        }

        public boolean sameContent(Secret o) {
            return Objects.equals(string, o.string) && Objects.equals(binary, o.binary);
        }

        @Override
        public String toString() {
            return "Secret[" + arn + ", version " + versionId + "]";
        }
    }

    /** A Lambda function's environment variables, sorted by name. */
    public record Function(SortedMap<String, String> environment) {
        public Function {
            environment = new TreeMap<>(environment == null ? Map.of() : environment);
        }

        @Override
        public String toString() {
            return "Function[environment " + environment.keySet() + "]";
        }
    }

    /**
     * An ECS task definition family's latest ACTIVE revision (its ARN and number, history rather than content) and its
     * containers by name.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TaskDefinition(String arn, Long revision, SortedMap<String, Container> containers) {
        public TaskDefinition {
            containers = new TreeMap<>(containers == null ? Map.of() : containers);
        }

        @Override
        public String toString() {
            return "TaskDefinition[" + arn + ", containers " + containers.keySet() + "]";
        }
    }

    /**
     * A container's {@code environment} (name to value) and {@code secrets} (name to {@code valueFrom}: the ARN or name
     * of the Secrets Manager secret or parameter the variable is read from when the task starts; a reference, no value).
     */
    public record Container(SortedMap<String, String> environment, SortedMap<String, String> secrets) {
        public Container {
            environment = new TreeMap<>(environment == null ? Map.of() : environment);
            secrets = new TreeMap<>(secrets == null ? Map.of() : secrets);
        }

        @Override
        public String toString() {
            return "Container[environment " + environment.keySet() + ", secrets " + secrets.keySet() + "]";
        }
    }

    public ConfigManifest.Counts counts() {
        return new ConfigManifest.Counts(parameters.size(), secrets.size(), functions.size(), taskDefinitions.size());
    }

    @Override
    public String toString() {
        return "ConfigSnapshot[" + snapshotId + ", parameters " + parameters.keySet() + ", secrets " + secrets.keySet()
                + ", functions " + functions + ", task definitions " + taskDefinitions + "]";
    }
}
