package com.taskmaster.backup.prune;

import com.taskmaster.backup.backup.BackupId;
import com.taskmaster.backup.backup.Manifest;

import java.time.Instant;
import java.util.Objects;

/**
 * What retention needs to know of one complete backup: its id, when its snapshot was taken, its label
 * (holds are labels {@code keep} or {@code keep:...}) and its stored size.
 */
public record BackupSummary(BackupId id, Instant time, String label, long storedBytes) {
    public BackupSummary {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
    }

    public static BackupSummary of(Manifest m) {
        return new BackupSummary(m.backupId(), m.startedAt(), m.label(), m.data().storedBytes());
    }

    /** Held: never deleted by retention, whatever its age. */
    public boolean held() {
        return label != null && (label.equals("keep") || label.startsWith("keep:"));
    }
}
