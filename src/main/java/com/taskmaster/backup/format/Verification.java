package com.taskmaster.backup.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.support.Json;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One verification of one backup, stored at {@code verifications/<backupId>/<time>-<suffix>.json} and never
 * overwritten. {@code outcome} is {@code passed} only when the stored object, its decryption, the archive and
 * its tables (and the replica, when one is configured and due) all checked out; {@code failed} when one of them
 * did not (the reason says which); {@code error} when the check could not be completed for a reason outside the
 * backup (a repository, S3 or KMS service or network error, throttling, a missing tool, a timeout: see
 * verify's {@code Causes}), which is no verdict on the backup, so that {@link Verifications#latest()} passes over it and the
 * last {@code passed} or {@code failed} stands. {@code anomalies} (size or row-count drops against the predecessor)
 * are alerted but do not make a backup unusable.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Verification(BackupId backupId, Instant verifiedAt, Outcome outcome, String reason, Integer tables,
                           String replica, List<String> anomalies, long durationMs, String requestId) {

    /** {@code skipped} is never recorded: it only reports a backup left for the next run (the deadline came near). */
    public enum Outcome {
        passed, failed, error, skipped
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

    /** A verdict on the backup ({@code passed} or {@code failed}), as opposed to an {@code error} (or {@code skipped}). */
    public boolean verdict() {
        return outcome == Outcome.passed || outcome == Outcome.failed;
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
