package com.taskmaster.backup.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.backup.BackupId;
import com.taskmaster.backup.support.Json;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One verification of one backup, stored at {@code verifications/<backupId>/<time>-<suffix>.json} and never
 * overwritten. {@code outcome} is {@code passed} only when the stored object, its decryption, the archive and
 * its tables (and the replica, when one is configured and due) all checked out; {@code anomalies} (size or
 * row-count drops against the predecessor) are alerted but do not make a backup unusable.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Verification(BackupId backupId, Instant verifiedAt, Outcome outcome, String reason, Integer tables,
                           String replica, List<String> anomalies, long durationMs, String requestId) {

    public enum Outcome {
        passed, failed, skipped
    }

    public Verification {
        Objects.requireNonNull(backupId, "backupId");
        Objects.requireNonNull(verifiedAt, "verifiedAt");
        Objects.requireNonNull(outcome, "outcome");
        anomalies = anomalies == null ? List.of() : List.copyOf(anomalies);
    }

    public boolean passed() {
        return outcome == Outcome.passed;
    }

    public byte[] toJson() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize verification of " + backupId, e);
        }
    }

    public static Verification fromJson(byte[] json) throws IOException {
        return Json.MAPPER.readValue(json, Verification.class);
    }
}
