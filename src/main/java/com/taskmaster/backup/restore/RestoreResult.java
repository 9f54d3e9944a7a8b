package com.taskmaster.backup.restore;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.format.DatabaseRestore;

import java.time.Instant;
import java.util.List;

/**
 * A completed restore. {@code target} is host:port/database (never credentials). {@code pointInTime} is present
 * for {@code "at"} requests: the restore is at backup granularity. {@code proof} says how the restore was proven equal
 * to the backup (content fingerprints, or row counts for a manifest written before them); {@code tables} lists each
 * table's rows and whether its count and digest were equal. {@code swap}, for a confirmed restore over an existing
 * database, says how it was replaced ({@link ReplaceBySwap}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreResult(String backupId, Instant backupTakenAt, PointInTime pointInTime, String target,
                            boolean replacedExisting, int tablesRestored, boolean fingerprintsEqual, List<String> differences,
                            DatabaseRestore.Roles roles, long durationMs, String proof,
                            List<DatabaseRestore.TableProof> tables, ReplaceBySwap.Swap swap) {

    /** What was asked, and what a backup can give: the state at the chosen backup's snapshot. */
    public record PointInTime(Instant requested, Instant restoredStateAt, String granularity) {
    }
}
