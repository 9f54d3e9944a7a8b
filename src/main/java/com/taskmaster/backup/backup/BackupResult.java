package com.taskmaster.backup.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.alert.Metrics;
import com.taskmaster.backup.format.Manifest;

import java.util.Map;

import static com.taskmaster.backup.alert.Metrics.Unit.BYTES;
import static com.taskmaster.backup.alert.Metrics.Unit.COUNT;
import static com.taskmaster.backup.alert.Metrics.Unit.SECONDS;

/**
 * What the backup handler returns. {@code duplicate} is true when a scheduled event was delivered again
 * for a backup that already exists: nothing new was made and the existing backup is described.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupResult(
        String backupId,
        String location,
        String manifest,
        long plainBytes,
        long storedBytes,
        String sha256,
        long durationMs,
        int tableCount,
        String label,
        String trigger,
        boolean duplicate) {

    static BackupResult of(Manifest m, String location, String manifestUri, long durationMs, boolean duplicate) {
        return new BackupResult(m.backupId().value(), location, manifestUri, m.data().plainBytes(), m.data().storedBytes(),
                m.data().sha256(), durationMs, m.tables().size(), m.label(), m.trigger().type(), duplicate);
    }

    /**
     * The backup as CloudWatch metrics (template.yaml's dashboard and backup alarms): success, sizes and duration; none
     * for a duplicate, which made nothing new.
     */
    public Map<String, Metrics.Value> metrics() {
        if (duplicate) {
            return Map.of();
        }
        return Metrics.builder().add("BackupSuccess", 1, COUNT).add("BackupStoredBytes", storedBytes, BYTES)
                .add("BackupPlainBytes", plainBytes, BYTES).add("BackupDuration", durationMs / 1000.0, SECONDS).build();
    }

    /** A failed backup as CloudWatch metrics (the backup-failure alarm counts them). */
    public static Map<String, Metrics.Value> failureMetrics() {
        return Metrics.builder().add("BackupFailure", 1, COUNT).build();
    }
}
