package com.taskmaster.backup.prune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.PendingWrite;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of a prune run (the handler's result, and the body of the audit record of a real run).
 * In a dry run, {@code deleted}, {@code deletedCount}, {@code bytesFreed} and the leftovers describe what a
 * real run would do; nothing was changed. A non-empty {@code interlocks} means a real run deletes nothing.
 * {@code bytesFreed} counts stored bytes: in a versioned bucket they are released when the lifecycle expires
 * the noncurrent versions. {@code foreign} lists the keys under {@code manifests/} and {@code data/} that this tool did
 * not write (an editor's {@code B.json~}, {@code data/copy of backup.esdk}): never read, kept nor deleted.
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
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> deletedElsewhere,
        Leftovers leftovers,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> unreadable,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> foreign,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> failures,
        String audit,
        ConfigSnapshots configSnapshots) {

    /** A report without configuration snapshots (written before they existed, or by tests of what does not read them). */
    public PruneReport(String runId, boolean dryRun, String trigger, String requestId, String repository, Instant now, String policy,
                       List<String> interlocks, int backupsBefore, int keptCount, int deletedCount, long bytesFreed, List<Entry> kept,
                       List<Entry> deleted, List<String> deletedElsewhere, Leftovers leftovers, List<String> unreadable,
                       List<String> foreign, List<String> failures, String audit) {
        this(runId, dryRun, trigger, requestId, repository, now, policy, interlocks, backupsBefore, keptCount, deletedCount,
                bytesFreed, kept, deleted, deletedElsewhere, leftovers, unreadable, foreign, failures, audit, null);
    }

    /**
     * The configuration snapshots under {@code config/} (config-backup), pruned apart from the backups by the same
     * calendar rules (the newest always kept): how many are kept, the ids deleted (in a dry run: that a real run would
     * delete), the interlocks that stopped their deletion.
     */
    public record ConfigSnapshots(int kept, List<String> deleted, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> interlocks) {
    }

    /**
     * One backup and the rules that keep it, or the reason it goes. {@code plainBytes} and {@code durationMs} (from its
     * manifest) outlive a deleted backup here only: the readiness report's size and duration history reads them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String backupId, Instant createdAt, long storedBytes, String label, List<String> reasons, Long plainBytes,
                        Long durationMs) {
        public Entry(String backupId, Instant createdAt, long storedBytes, String label, List<String> reasons) {
            this(backupId, createdAt, storedBytes, label, reasons, null, null);
        }

        static Entry of(PrunePlan.Decision d) {
            BackupSummary b = d.backup();
            return new Entry(b.id().value(), b.time(), b.storedBytes(), b.label(), d.reasons(), b.plainBytes(), b.durationMs());
        }
    }

    /**
     * Data objects no manifest refers to, writes left pending, and verification records of backups that are gone, all
     * older than a day.
     */
    public record Leftovers(List<Leftover> dataObjects, List<Leftover> pendingWrites,
                            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Leftover> verificationRecords) {
    }

    /** A leftover: its key, since when, its size (-1 when unknown: pending writes). */
    public record Leftover(String key, Instant since, long bytes) {
    }

    /** A report being made: the run's identity first, then what it found and did. */
    public static Builder builder(String runId, PruneRequest request, String requestId, String repository, Instant now,
                                  String policy) {
        return new Builder(runId, request, requestId, repository, now, policy);
    }

    /** Collects a run's report; counts and bytes freed follow from the entries. */
    public static final class Builder {
        private ConfigSnapshots configSnapshots;
        private final String runId;
        private final PruneRequest request;
        private final String requestId;
        private final String repository;
        private final Instant now;
        private final String policy;
        private List<String> interlocks = List.of();
        private int backupsBefore;
        private List<PrunePlan.Decision> kept = List.of();
        private List<PrunePlan.Decision> deleted = List.of();
        private List<PrunePlan.Decision> deletedElsewhere = List.of();
        private List<ObjectInfo> records = List.of();
        private List<ObjectInfo> orphans = List.of();
        private List<PendingWrite> pending = List.of();
        private List<String> unreadable = List.of();
        private List<String> foreign = List.of();
        private List<String> failures = List.of();
        private String audit;

        private Builder(String runId, PruneRequest request, String requestId, String repository, Instant now, String policy) {
            this.runId = runId;
            this.request = request;
            this.requestId = requestId;
            this.repository = repository;
            this.now = now;
            this.policy = policy;
        }

        /** The interlocks that tripped, how many backups were listed, unreadable manifests and foreign keys. */
        public Builder listing(List<String> interlocks, int backupsBefore, List<String> unreadable, List<String> foreign) {
            this.interlocks = List.copyOf(interlocks);
            this.backupsBefore = backupsBefore;
            this.unreadable = unreadable;
            this.foreign = List.copyOf(foreign);
            return this;
        }

        /** The backups kept (with their rules) and deleted (or, in a dry run, to be deleted). */
        public Builder backups(List<PrunePlan.Decision> kept, List<PrunePlan.Decision> deleted) {
            this.kept = kept;
            this.deleted = deleted;
            return this;
        }

        /** The leftovers deleted (or, in a dry run, to be deleted). */
        public Builder leftovers(List<ObjectInfo> orphans, List<PendingWrite> pending, List<ObjectInfo> records) {
            this.orphans = orphans;
            this.pending = pending;
            this.records = records;
            return this;
        }

        /** Backups this run was to delete that a concurrent run deleted first: counted by that run, not this one. */
        public Builder deletedElsewhere(List<PrunePlan.Decision> goneAlready) {
            this.deletedElsewhere = goneAlready;
            return this;
        }

        public Builder failures(List<String> failures) {
            this.failures = List.copyOf(failures);
            return this;
        }

        public Builder configSnapshots(ConfigSnapshots c) {
            this.configSnapshots = c;
            return this;
        }

        /** Where the run's audit record is (real runs). */
        public Builder audit(String uri) {
            this.audit = uri;
            return this;
        }

        public PruneReport build() {
            long bytes = deleted.stream().mapToLong(d -> d.backup().storedBytes()).sum() + orphans.stream().mapToLong(ObjectInfo::size).sum();
            return new PruneReport(runId, request.dryRun(), request.trigger(), requestId, repository, now, policy, interlocks,
                    backupsBefore, kept.size(), deleted.size(), bytes, kept.stream().map(Entry::of).toList(),
                    deleted.stream().map(Entry::of).toList(), deletedElsewhere.stream().map(d -> d.backup().id().value()).toList(),
                    new Leftovers(orphans.stream().map(o -> new Leftover(o.key().value(), o.lastModified(), o.size())).toList(),
                            pending.stream().map(w -> new Leftover(w.key().value(), w.since(), -1)).toList(),
                            records.stream().map(o -> new Leftover(o.key().value(), o.lastModified(), o.size())).toList()),
                    unreadable, foreign, failures, audit, configSnapshots);
        }
    }
}
