package com.taskmaster.backup.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.format.Manifest;

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
}
