package com.taskmaster.backup.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.support.Json;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The commit point of a configuration snapshot ({@code config/manifests/<snapshotId>.json}, FORMAT.md section 12),
 * written after its data object, like a backup's {@link Manifest}. It holds no value and no digest of the plaintext
 * (a plain hash of a short secret could be confirmed by guessing): only counts, the stored object's size and SHA-256
 * (of the ciphertext) and how it was encrypted. Whether the configuration changed is decided by decrypting the previous
 * snapshot and comparing (the snapshot is a few kilobytes: one KMS Decrypt).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigManifest(
        int formatVersion,
        BackupId snapshotId,
        Instant takenAt,
        Manifest.DataObject data,
        Manifest.Compression compression,
        Manifest.Encryption encryption,
        Counts counts,
        String cause,
        String requestId) {

    public static final int FORMAT_VERSION = 1;
    public static final String PURPOSE = "taskmaster-config";

    public ConfigManifest {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported configuration manifest format version " + formatVersion);
        }
        Objects.requireNonNull(snapshotId, "snapshotId");
        Objects.requireNonNull(takenAt, "takenAt");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(encryption, "encryption");
        Objects.requireNonNull(counts, "counts");
    }

    /**
     * How many parameters, secrets, function environments and ECS task definitions the snapshot holds (names and values
     * only inside it). {@code taskDefinitions} is 0 in manifests written before it was counted.
     */
    public record Counts(int parameters, int secrets, int functions, int taskDefinitions) {
        /** A snapshot without task definitions. */
        public Counts(int parameters, int secrets, int functions) {
            this(parameters, secrets, functions, 0);
        }
    }

    /** Ids only (KMS logs the context in clear): {@code {purpose: taskmaster-config, snapshotId}}. */
    public static Map<String, String> encryptionContext(BackupId snapshotId) {
        return Map.copyOf(new TreeMap<>(Map.of("purpose", PURPOSE, "snapshotId", snapshotId.value())));
    }

    public byte[] toJson() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize configuration manifest " + snapshotId, e);
        }
    }

    public static ConfigManifest fromJson(byte[] json) throws IOException {
        return Json.MAPPER.readValue(json, ConfigManifest.class);
    }
}
