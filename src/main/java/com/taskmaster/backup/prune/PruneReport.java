package com.taskmaster.backup.prune;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of a prune run (the handler's result, and the body of the audit record of a real run).
 * In a dry run, {@code deleted}, {@code deletedCount}, {@code bytesFreed} and the leftovers describe what a
 * real run would do; nothing was changed. A non-empty {@code interlocks} means a real run deletes nothing.
 * {@code bytesFreed} counts stored bytes: in a versioned bucket they are released when the lifecycle expires
 * the noncurrent versions.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PruneReport(
        String runId,
        boolean dryRun,
        String trigger,
        String requestId,
        String repository,
        Instant now,
        String policy,
        List<String> interlocks,
        int backupsBefore,
        int keptCount,
        int deletedCount,
        long bytesFreed,
        List<Entry> kept,
        List<Entry> deleted,
        Leftovers leftovers,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> unreadable,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> failures,
        String audit) {

    /** One backup and the rules that keep it, or the reason it goes. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String backupId, Instant createdAt, long storedBytes, String label, List<String> reasons) {
        static Entry of(PrunePlan.Decision d) {
            BackupSummary b = d.backup();
            return new Entry(b.id().value(), b.time(), b.storedBytes(), b.label(), d.reasons());
        }
    }

    /** Data objects no manifest refers to, and writes left pending, both older than a day. */
    public record Leftovers(List<Leftover> dataObjects, List<Leftover> pendingWrites) {
    }

    /** A leftover: its key, since when, its size (-1 when unknown: pending writes). */
    public record Leftover(String key, Instant since, long bytes) {
    }
}
