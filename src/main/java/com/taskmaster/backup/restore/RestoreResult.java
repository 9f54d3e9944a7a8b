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
                            List<DatabaseRestore.TableProof> tables, Swap swap) {

    /** What was asked, and what a backup can give: the state at the chosen backup's snapshot. */
    public record PointInTime(Instant requested, Instant restoredStateAt, String granularity) {
    }

    /**
     * How the database was replaced: {@code restoredAs} is the name the restore was made and proven under,
     * {@code previousKeptAs} the name the replaced database now has; {@code terminatedSessions} were connected to the replaced
     * database at the swap; {@code carriedOver} lists what was copied from the replaced database onto the new one.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Swap(String database, String restoredAs, String previousKeptAs, Instant restoreStartedAt, Instant provenAt,
                       Instant swappedAt, List<Session> terminatedSessions, List<String> carriedOver, String note) {
        public Swap {
            terminatedSessions = List.copyOf(terminatedSessions);
            carriedOver = List.copyOf(carriedOver);
        }
    }

    /** A session on the replaced database, terminated at the swap (no query text: it may hold data). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Session(int pid, String user, String applicationName, String clientAddress, Instant backendStart) {
    }
}
