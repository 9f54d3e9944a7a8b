package com.taskmaster.backup.prune;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.repository.LockState;

import java.time.Instant;
import java.util.Objects;

/**
 * What retention needs to know of one complete backup: its id, when its snapshot was taken, its label
 * (holds are labels {@code keep} or {@code keep:...}), its stored size, and the S3 Object Lock state of its objects
 * (manifest and data together: locked when either is).
 *
 * @param plainBytes the pg_dump archive's size, durationMs snapshot to data object complete: null when not known
 * @param lock the Object Lock state, or null when it was not read: {@link PruneService} reads it for every backup
 *             a plan would delete, and re-plans; a plan over summaries without it treats them as unlocked
 */
public record BackupSummary(BackupId id, Instant time, String label, long storedBytes, LockState lock, Long plainBytes,
                            Long durationMs) {
    public BackupSummary {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
    }

    /** Lock state not read (yet). */
    public BackupSummary(BackupId id, Instant time, String label, long storedBytes) {
        this(id, time, label, storedBytes, null, null, null);
    }

    /** With the archive's plain size and the backup's duration, which the audit record keeps for the readiness report. */
    public static BackupSummary of(Manifest m) {
        return new BackupSummary(m.backupId(), m.startedAt(), m.label(), m.data().storedBytes(), null, m.data().plainBytes(),
                java.time.Duration.between(m.startedAt(), m.finishedAt()).toMillis());
    }

    public BackupSummary withLock(LockState state) {
        return new BackupSummary(id, time, label, storedBytes, Objects.requireNonNull(state, "state"), plainBytes, durationMs);
    }

    /** Held: never deleted by retention, whatever its age. */
    public boolean held() {
        return label != null && (label.equals("keep") || label.startsWith("keep:"));
    }

    /** Under an S3 Object Lock retention (GOVERNANCE or COMPLIANCE) that has not ended at {@code now}. */
    public boolean retainedAt(Instant now) {
        return lock != null && lock.retainedAt(now);
    }

    /** Under an S3 Object Lock legal hold. */
    public boolean legalHold() {
        return lock != null && lock.legalHold();
    }
}
