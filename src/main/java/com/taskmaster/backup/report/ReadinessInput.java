package com.taskmaster.backup.report;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Everything the recovery-readiness report shows, as plain values: the report's own model, so that the page
 * depends on no storage format. The handler fills it from the catalog (manifests), the prune audit records
 * (backups that no longer exist: id, time and stored size), the verification records and the restore-test
 * reports. Lists may be in any order and may be empty (a brand-new repository); the constructor sorts them by time.
 *
 * @param database     the database backed up, or null when no backup names it yet
 * @param repository   where the backups are (s3://bucket/prefix or file:///path), for the reader's orientation
 * @param backups      every backup known, present or deleted by prune (deleted ones may lack plain size and duration)
 * @param replica      the replica check, or null when no replica is configured
 * @param storage      storage used per tier over time (measured, or {@link StorageEstimate estimated}); may be empty
 * @param storageNote  where the storage figures come from ("CloudWatch BucketSizeBytes", "estimated from ..."), or null
 */
public record ReadinessInput(String database, String repository, Settings settings, List<Backup> backups,
                             List<Verification> verifications, List<RestoreTest> restoreTests, List<PruneRun> pruneRuns,
                             Replica replica, List<TierSample> storage, String storageNote) {

    public ReadinessInput {
        Objects.requireNonNull(settings, "settings");
        backups = sorted(backups, Backup::takenAt);
        verifications = sorted(verifications, Verification::verifiedAt);
        restoreTests = sorted(restoreTests, RestoreTest::startedAt);
        pruneRuns = sorted(pruneRuns, PruneRun::at);
        storage = sorted(storage, TierSample::at);
    }

    /** A repository with nothing in it yet: what the report of a fresh deployment shows. */
    public static ReadinessInput empty(String repository, Settings settings) {
        return new ReadinessInput(null, repository, settings, List.of(), List.of(), List.of(), List.of(), null, List.of(), null);
    }

    private static <T> List<T> sorted(List<T> items, java.util.function.Function<T, Instant> time) {
        return Objects.requireNonNull(items, "list").stream().map(Objects::requireNonNull)
                .sorted(Comparator.comparing(time)).toList();
    }

    /**
     * The objectives and the limits the functions run under.
     *
     * @param rpo                the newest backup must be younger than this ({@code BACKUP_RPO})
     * @param rto                a full restore must take less than this ({@code BACKUP_RTO})
     * @param backupLimits       the backup function's Lambda limits
     * @param restoreTestLimits  the restore-test function's Lambda limits
     * @param verifyMaxAge       the last verification run must be younger than this (weekly schedule + grace)
     * @param restoreTestMaxAge  the last restore test must be younger than this (monthly schedule + grace)
     * @param forecastWarning    a limit forecast to be reached within this is a warning (alert and metric)
     * @param schedules          the runs expected, for the adherence table
     */
    public record Settings(Duration rpo, Duration rto, LambdaLimits backupLimits, LambdaLimits restoreTestLimits,
                           Duration verifyMaxAge, Duration restoreTestMaxAge, Duration forecastWarning,
                           List<Schedule> schedules) {
        public Settings {
            positive(rpo, "rpo");
            positive(rto, "rto");
            Objects.requireNonNull(backupLimits, "backupLimits");
            Objects.requireNonNull(restoreTestLimits, "restoreTestLimits");
            positive(verifyMaxAge, "verifyMaxAge");
            positive(restoreTestMaxAge, "restoreTestMaxAge");
            positive(forecastWarning, "forecastWarning");
            schedules = List.copyOf(schedules);
        }

        /** The template's defaults: RPO 26 h, RTO 4 h, 15-minute functions of 2048 MB and 512 MB /tmp, warn 90 days ahead. */
        public static Settings defaults() {
            LambdaLimits lambda = LambdaLimits.template();
            return new Settings(Duration.ofHours(26), Duration.ofHours(4), lambda, lambda, Duration.ofDays(8),
                    Duration.ofDays(35), Duration.ofDays(90), List.of(Schedule.dailyBackup(), Schedule.weeklyVerify(),
                    Schedule.monthlyRestoreTest()));
        }

        public Settings withSchedules(List<Schedule> replaced) {
            return new Settings(rpo, rto, backupLimits, restoreTestLimits, verifyMaxAge, restoreTestMaxAge, forecastWarning, replaced);
        }

        public Settings withRpo(Duration replaced) {
            return new Settings(replaced, rto, backupLimits, restoreTestLimits, verifyMaxAge, restoreTestMaxAge, forecastWarning, schedules);
        }

        public Settings withRto(Duration replaced) {
            return new Settings(rpo, replaced, backupLimits, restoreTestLimits, verifyMaxAge, restoreTestMaxAge, forecastWarning, schedules);
        }
    }

    /**
     * What one Lambda function may use.
     *
     * @param timeout          the function's timeout (at most 15 minutes)
     * @param reserve          how long before the timeout the handler stops its work (30 s: it must still report)
     * @param memoryBytes      the function's memory size
     * @param ephemeralBytes   its /tmp size
     */
    public record LambdaLimits(Duration timeout, Duration reserve, long memoryBytes, long ephemeralBytes) {
        public static final Duration MAX_TIMEOUT = Duration.ofMinutes(15);

        public LambdaLimits {
            positive(timeout, "timeout");
            if (timeout.compareTo(MAX_TIMEOUT) > 0) {
                throw new IllegalArgumentException("a Lambda timeout is at most 15 minutes, not " + timeout);
            }
            Objects.requireNonNull(reserve, "reserve");
            if (reserve.isNegative() || reserve.compareTo(timeout) >= 0) {
                throw new IllegalArgumentException("reserve must be at least 0 and shorter than the timeout: " + reserve);
            }
            if (memoryBytes <= 0 || ephemeralBytes <= 0) {
                throw new IllegalArgumentException("memory and ephemeral storage must be positive");
            }
        }

        /** template.yaml's backup and restore-test functions: 900 s, 2048 MB, 512 MB of /tmp; the handlers stop 30 s early. */
        public static LambdaLimits template() {
            return new LambdaLimits(MAX_TIMEOUT, Duration.ofSeconds(30), 2048L << 20, 512L << 20);
        }

        /** The time the work itself may take. */
        public Duration usableTime() {
            return timeout.minus(reserve);
        }
    }

    /** A run that should happen once per period, for the adherence table. */
    public record Schedule(String name, Kind kind, Period period, List<String> backupSchedules) {
        public enum Kind { BACKUP, VERIFY, RESTORE_TEST }

        public enum Period { HOUR, DAY, WEEK, MONTH }

        /**
         * @param backupSchedules for a BACKUP schedule, the backup schedules whose runs cover a period (the hourly
         *                        schedule leaves 02:00 to the daily one, so both cover an hour)
         */
        public Schedule {
            nonBlank(name, "schedule name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(period, "period");
            backupSchedules = List.copyOf(backupSchedules);
            if (kind == Kind.BACKUP && backupSchedules.isEmpty()) {
                throw new IllegalArgumentException("backup schedule " + name + " names no backup schedule");
            }
        }

        public static Schedule dailyBackup() {
            return new Schedule("daily backup", Kind.BACKUP, Period.DAY, List.of("daily"));
        }

        public static Schedule hourlyBackup() {
            return new Schedule("hourly backup", Kind.BACKUP, Period.HOUR, List.of("hourly", "daily"));
        }

        public static Schedule weeklyVerify() {
            return new Schedule("weekly verification", Kind.VERIFY, Period.WEEK, List.of());
        }

        public static Schedule monthlyRestoreTest() {
            return new Schedule("monthly restore test", Kind.RESTORE_TEST, Period.MONTH, List.of());
        }
    }

    /**
     * One backup.
     *
     * @param schedule         the schedule that made it ("daily", "hourly"), or "manual"
     * @param plainBytes       the pg_dump archive's size; null when only a prune audit record remembers the backup
     * @param duration         snapshot to data object complete; null when unknown
     * @param tables           how many tables; null when unknown
     * @param peakMemoryBytes  the invocation's peak memory (Lambda's Max Memory Used); null when not recorded
     * @param tmpBytes         what it wrote to /tmp; null when not recorded (the backup streams: normally none)
     * @param deletedAt        when prune deleted it; null while it exists
     */
    public record Backup(String id, Instant takenAt, String schedule, Long plainBytes, long storedBytes, Duration duration,
                         Integer tables, String label, Long peakMemoryBytes, Long tmpBytes, Instant deletedAt) {
        public Backup {
            nonBlank(id, "backup id");
            Objects.requireNonNull(takenAt, "takenAt");
            nonBlank(schedule, "schedule of " + id);
            notNegative(plainBytes, "plainBytes of " + id);
            notNegative(storedBytes, "storedBytes of " + id);
            if (duration != null && duration.isNegative()) {
                throw new IllegalArgumentException("negative duration of backup " + id);
            }
            notNegative(peakMemoryBytes, "peakMemoryBytes of " + id);
            notNegative(tmpBytes, "tmpBytes of " + id);
        }

        /** A backup known only from a prune audit record's {@code deleted} entry: id, time and stored size. */
        public static Backup deleted(String id, Instant takenAt, long storedBytes, String label, Instant deletedAt) {
            return new Backup(id, takenAt, scheduleOf(id), null, storedBytes, null, null, label, null, null,
                    Objects.requireNonNull(deletedAt, "deletedAt"));
        }

        public boolean present() {
            return deletedAt == null;
        }
    }

    /**
     * The schedule a backup id names (docs/FORMAT.md, section 2): {@code 20261128T020000Z-daily} → "daily",
     * {@code 20261128T041503Z-manual-k3f9q2} → "manual".
     */
    public static String scheduleOf(String backupId) {
        int dash = backupId.indexOf('-');
        if (dash < 0 || dash == backupId.length() - 1) {
            throw new IllegalArgumentException("not a backup id: " + backupId);
        }
        String suffix = backupId.substring(dash + 1);
        return suffix.startsWith("manual-") || suffix.equals("manual") ? "manual" : suffix;
    }

    /** One verification record: outcome {@code passed}, {@code failed} or {@code error}, with its reason. */
    public record Verification(String backupId, Instant verifiedAt, String outcome, String reason, String replica,
                               long durationMs, String requestId) {
        public Verification {
            nonBlank(backupId, "verified backup id");
            Objects.requireNonNull(verifiedAt, "verifiedAt");
            if (!List.of("passed", "failed", "error").contains(outcome)) {
                throw new IllegalArgumentException("verification outcome must be passed, failed or error: " + outcome);
            }
        }

        public boolean passed() {
            return outcome.equals("passed");
        }
    }

    /**
     * One restore test.
     *
     * @param restore           measured time of the restore itself; null when it did not get that far
     * @param estimatedFull     the restore time scaled to the source database's current size; null when unknown
     * @param plainBytes        the restored backup's archive size
     * @param tables            each table's expected and restored rows
     * @param peakMemoryBytes   the invocation's peak memory; null when not recorded
     */
    public record RestoreTest(Instant startedAt, String backupId, boolean passed, List<String> failures, Duration restore,
                              Duration estimatedFull, Long plainBytes, Boolean fingerprintsEqual, List<TableCheck> tables,
                              Long peakMemoryBytes, Long tmpBytes) {
        public RestoreTest {
            Objects.requireNonNull(startedAt, "startedAt");
            nonBlank(backupId, "restored backup id");
            failures = List.copyOf(failures);
            tables = List.copyOf(tables);
            notNegative(plainBytes, "plainBytes of restore test of " + backupId);
            notNegative(peakMemoryBytes, "peakMemoryBytes of restore test of " + backupId);
            notNegative(tmpBytes, "tmpBytes of restore test of " + backupId);
        }
    }

    /** One table after a restore: rows the manifest promised, rows found (null: not counted), equal or not. */
    public record TableCheck(String schema, String name, long expectedRows, Long restoredRows, boolean equal) {
        public TableCheck {
            nonBlank(name, "table name");
            Objects.requireNonNull(schema, "schema");
        }
    }

    /** One prune run (its audit record): what it kept and why, what it deleted and why, and any interlock. */
    public record PruneRun(Instant at, boolean dryRun, List<String> interlocks, List<PruneEntry> kept, List<PruneEntry> deleted) {
        public PruneRun {
            Objects.requireNonNull(at, "at");
            interlocks = List.copyOf(interlocks);
            kept = List.copyOf(kept);
            deleted = List.copyOf(deleted);
        }
    }

    /** A backup in a prune run, with the rules that keep it or the reason it went. */
    public record PruneEntry(String backupId, Instant takenAt, long storedBytes, String label, List<String> reasons) {
        public PruneEntry {
            nonBlank(backupId, "pruned backup id");
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * The replica check of the last verification run.
     *
     * @param identical backups whose replica matched; {@code pending}: replication still within its hour;
     *                  {@code problems}: missing, different or unreadable replicas, each described in {@code details}
     */
    public record Replica(String location, Instant checkedAt, int identical, int pending, int problems, List<String> details) {
        public Replica {
            Objects.requireNonNull(checkedAt, "replica checkedAt");
            if (identical < 0 || pending < 0 || problems < 0) {
                throw new IllegalArgumentException("negative replica counts");
            }
            details = List.copyOf(details);
        }

        /**
         * The replica state of one verification run, from its records' {@code replica} field ("identical", "pending",
         * anything else a problem, named with the record's reason); null when the run checked no replica.
         */
        public static Replica fromRun(String location, List<Verification> run) {
            List<Verification> checked = run.stream().filter(v -> v.replica() != null).toList();
            if (checked.isEmpty()) {
                return null;
            }
            int identical = 0;
            int pending = 0;
            List<String> details = new java.util.ArrayList<>();
            for (Verification v : checked) {
                switch (v.replica()) {
                    case "identical" -> identical++;
                    case "pending" -> pending++;
                    default -> details.add(v.backupId() + ": " + v.replica() + (v.reason() == null ? "" : " (" + v.reason() + ")"));
                }
            }
            Instant at = checked.stream().map(Verification::verifiedAt).max(Instant::compareTo).orElseThrow();
            return new Replica(location, at, identical, pending, details.size(), details);
        }
    }

    /** Bytes stored in one storage tier ("STANDARD", "GLACIER_IR", "noncurrent", "replica") at one time. */
    public record TierSample(Instant at, String tier, long bytes) {
        public TierSample {
            Objects.requireNonNull(at, "at");
            nonBlank(tier, "tier");
            notNegative(bytes, "bytes of tier " + tier);
        }
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
    }

    private static void nonBlank(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    private static void notNegative(Long n, String what) {
        if (n != null && n < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + n);
        }
    }
}
