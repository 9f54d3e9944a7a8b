package com.taskmaster.backup.report;

import com.taskmaster.backup.report.ReadinessInput.Backup;
import com.taskmaster.backup.report.ReadinessInput.PruneEntry;
import com.taskmaster.backup.report.ReadinessInput.PruneRun;
import com.taskmaster.backup.report.ReadinessInput.Replica;
import com.taskmaster.backup.report.ReadinessInput.RestoreTest;
import com.taskmaster.backup.report.ReadinessInput.Settings;
import com.taskmaster.backup.report.ReadinessInput.TableCheck;
import com.taskmaster.backup.report.ReadinessInput.Verification;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A realistic history for report tests, the way the handler would read it from a repository after months of
 * operation: daily backups at 02:00 (and hourly ones at the other hours), a dump that grows with noise, retention
 * as template.yaml runs it (prune daily at 03:00: 48 h of everything, the newest of each day for 30 days, of each
 * month for 12 months), weekly verification on Sundays at 04:00 of every backup present, monthly restore tests
 * on the 1st at 05:00 of the newest backup, and a few incidents: two missed days, a failed and an unfinished
 * verification, a failed restore test re-run the next day. Deterministic for a given seed.
 */
final class ReadinessHistory {
    static final String DATABASE = "taskmaster";
    static final String REPOSITORY = "s3://taskmaster-backups-123456789012/backups";
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** The TaskMaster sample's tables and their share of the rows. */
    static final List<String[]> TABLES = List.of(new String[]{"public", "app_settings"}, new String[]{"public", "schema_version"},
            new String[]{"taskmaster", "attachments"}, new String[]{"taskmaster", "audit_log"}, new String[]{"taskmaster", "comments"},
            new String[]{"taskmaster", "project_members"}, new String[]{"taskmaster", "projects"}, new String[]{"taskmaster", "tags"},
            new String[]{"taskmaster", "task_tags"}, new String[]{"taskmaster", "tasks"}, new String[]{"taskmaster", "users"});
    private static final double[] ROW_SHARE = {0.0000001, 0.0000001, 0.004, 0.3, 0.25, 0.002, 0.0004, 0.001, 0.14, 0.1, 0.005};

    Instant now = Instant.parse("2026-12-01T09:30:00Z");
    int days = 365;
    boolean hourly = true;
    long seed = 42;
    /** Plain dump size at the start, and its growth per day. */
    double startPlainBytes = 4.0 * (1L << 30);
    double growthPerDay = 14.0 * (1 << 20);
    /** Dump throughput (backup) and pg_restore throughput (restore test), plain bytes per second. */
    double backupBytesPerSecond = 45.0 * (1 << 20);
    double restoreBytesPerSecond = 14.0 * (1 << 20);
    boolean incidents = true;
    /** Names to put in the data (table names, labels, reasons): hostile ones for the escaping tests. */
    String database = DATABASE;
    String extraTable = null;
    String label = "pre-migration";
    String failureReason = "replica differs: s3://taskmaster-replica/backups/data/... has SHA-256 9f2c..., the manifest says 4be1...";

    private Random random;

    ReadinessInput build() {
        random = new Random(seed);
        Settings settings = Settings.defaults().withSchedules(hourly
                ? List.of(ReadinessInput.Schedule.dailyBackup(), ReadinessInput.Schedule.hourlyBackup(),
                ReadinessInput.Schedule.weeklyVerify(), ReadinessInput.Schedule.monthlyRestoreTest())
                : Settings.defaults().schedules()).withRpo(hourly ? Duration.ofHours(2) : Duration.ofHours(26));
        Instant start = now.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(days));
        List<Backup> made = backups(start);
        List<Backup> backups = withRetention(made);
        List<PruneRun> prunes = pruneRuns(backups, start);
        List<Verification> verifications = verifications(backups, start);
        List<RestoreTest> tests = restoreTests(backups, start);
        Replica replica = new Replica("s3://taskmaster-replica-123456789012/backups", lastSunday(now).plusSeconds(3600 * 4 + 300),
                (int) backups.stream().filter(Backup::present).count() - 1, 1, 0, List.of());
        StorageEstimate estimate = StorageEstimate.template();
        return new ReadinessInput(database, REPOSITORY, settings, backups, verifications, tests, prunes, replica,
                estimate.daily(backups, now.atZone(ZoneOffset.UTC).minusMonths(13).toInstant(), now), estimate.note());
    }

    private boolean missedDay(LocalDate day) {
        LocalDate first = now.atZone(ZoneOffset.UTC).toLocalDate().minusDays(days);
        return incidents && (day.equals(first.plusDays(200)) || day.equals(first.plusDays(201)));
    }

    private List<Backup> backups(Instant start) {
        List<Backup> out = new ArrayList<>();
        for (Instant t = start; !t.isAfter(now); t = t.plus(Duration.ofHours(1))) {
            int hour = t.atZone(ZoneOffset.UTC).getHour();
            boolean daily = hour == 2;
            if (!daily && !hourly || missedDay(t.atZone(ZoneOffset.UTC).toLocalDate())) {
                continue;
            }
            double dayIndex = Duration.between(start, t).toHours() / 24.0;
            double plain = (startPlainBytes + growthPerDay * dayIndex) * (1 + 0.01 * random.nextGaussian());
            long stored = Math.round(plain * (0.30 + 0.004 * random.nextGaussian()));
            Duration duration = Duration.ofMillis(Math.round(plain / backupBytesPerSecond * 1000 * (1 + 0.08 * Math.abs(random.nextGaussian()))));
            Instant taken = t.plusMillis(800 + random.nextInt(1500));
            String schedule = daily ? "daily" : "hourly";
            String id = ID_TIME.format(t) + "-" + schedule;
            boolean labelled = incidents && out.size() % 2000 == 1500;
            out.add(new Backup(id, taken, schedule, Math.round(plain), stored, duration, TABLES.size() + (extraTable == null ? 0 : 1),
                    labelled ? label : null, Math.round((230 + 12 * random.nextGaussian()) * (1 << 20)), null, null));
        }
        return out;
    }

    /** Prune's rules and schedule applied to the whole history: when each backup was deleted, if it was. */
    private List<Backup> withRetention(List<Backup> made) {
        Map<LocalDate, Instant> lastOfDay = new HashMap<>();
        Map<String, Instant> lastOfMonth = new HashMap<>();
        for (Backup b : made) {
            lastOfDay.merge(day(b.takenAt()), b.takenAt(), (a, c) -> a.isAfter(c) ? a : c);
            lastOfMonth.merge(month(b.takenAt()), b.takenAt(), (a, c) -> a.isAfter(c) ? a : c);
        }
        List<Backup> out = new ArrayList<>();
        for (Backup b : made) {
            Instant expiry = keptUntil(b, lastOfDay, lastOfMonth);
            Instant run = nextPrune(expiry);
            out.add(b.label() != null || run.isAfter(now) ? b : new Backup(b.id(), b.takenAt(), b.schedule(), b.plainBytes(),
                    b.storedBytes(), b.duration(), b.tables(), b.label(), b.peakMemoryBytes(), b.tmpBytes(), run));
        }
        return out;
    }

    private static Instant keptUntil(Backup b, Map<LocalDate, Instant> lastOfDay, Map<String, Instant> lastOfMonth) {
        Instant until = b.takenAt().plus(Duration.ofHours(48));
        ZonedDateTime z = b.takenAt().atZone(ZoneOffset.UTC);
        if (lastOfDay.get(day(b.takenAt())).equals(b.takenAt())) {
            until = max(until, z.truncatedTo(ChronoUnit.DAYS).plusDays(30).toInstant());
        }
        if (lastOfMonth.get(month(b.takenAt())).equals(b.takenAt())) {
            until = max(until, z.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).plusMonths(12).toInstant());
        }
        return until;
    }

    private static Instant nextPrune(Instant at) {
        Instant run = at.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(3));
        return run.isBefore(at) ? run.plus(Duration.ofDays(1)) : run;
    }

    private static List<String> keptReasons(Backup b, Instant at, List<Backup> present) {
        List<String> reasons = new ArrayList<>();
        int index = present.indexOf(b);
        if (index >= present.size() - 3) {
            reasons.add("newest-3");
        }
        if (b.label() != null) {
            reasons.add("hold");
        }
        if (Duration.between(b.takenAt(), at).compareTo(Duration.ofHours(48)) < 0) {
            reasons.add("recent");
        }
        boolean lastOfDay = index == present.size() - 1 || !day(present.get(index + 1).takenAt()).equals(day(b.takenAt()));
        if (lastOfDay && Duration.between(b.takenAt(), at).compareTo(Duration.ofDays(30)) < 0) {
            reasons.add("daily");
        }
        boolean lastOfMonth = index == present.size() - 1 || !month(present.get(index + 1).takenAt()).equals(month(b.takenAt()));
        if (lastOfMonth) {
            reasons.add("monthly");
        }
        return reasons;
    }

    /** The audit records of the real runs, daily at 03:00 (the runs of the last 60 days carry their kept list). */
    private List<PruneRun> pruneRuns(List<Backup> backups, Instant start) {
        Map<Instant, List<Backup>> deletedAt = new HashMap<>();
        backups.stream().filter(b -> !b.present()).forEach(b -> deletedAt.computeIfAbsent(b.deletedAt(), k -> new ArrayList<>()).add(b));
        List<PruneRun> runs = new ArrayList<>();
        for (Instant run = nextPrune(start); !run.isAfter(now); run = run.plus(Duration.ofDays(1))) {
            Instant at = run;
            List<PruneEntry> deleted = deletedAt.getOrDefault(run, List.of()).stream().map(b -> new PruneEntry(b.id(), b.takenAt(),
                    b.storedBytes(), b.label(), List.of(deleteReason(b)))).toList();
            List<PruneEntry> kept = List.of();
            if (Duration.between(run, now).toDays() < 60) {
                List<Backup> present = backups.stream().filter(b -> !b.takenAt().isAfter(at) && (b.present() || b.deletedAt().isAfter(at))).toList();
                kept = present.stream().map(b -> new PruneEntry(b.id(), b.takenAt(), b.storedBytes(), b.label(), keptReasons(b, at, present))).toList();
            }
            runs.add(new PruneRun(run, false, List.of(), kept, deleted));
        }
        return runs;
    }

    private static String deleteReason(Backup b) {
        return b.schedule().equals("hourly") && b.takenAt().atZone(ZoneOffset.UTC).getHour() != 23 ? "not-newest-of-day" : "not-newest-of-month";
    }

    private List<Verification> verifications(List<Backup> backups, Instant start) {
        List<Verification> out = new ArrayList<>();
        int week = 0;
        for (Instant run = lastSunday(start.plus(Duration.ofDays(7))).plus(Duration.ofHours(4)); !run.isAfter(now); run = run.plus(Duration.ofDays(7))) {
            Instant at = run;
            String requestId = "verify-" + week;
            List<Backup> present = backups.stream().filter(b -> !b.takenAt().isAfter(at) && (b.present() || b.deletedAt().isAfter(at))).toList();
            for (int i = 0; i < present.size(); i++) {
                Backup b = present.get(i);
                String outcome = "passed";
                String reason = null;
                if (incidents && week == 20 && i == present.size() - 5) {
                    outcome = "failed";
                    reason = failureReason;
                } else if (incidents && week == 33 && i == 2) {
                    outcome = "error";
                    reason = "S3 error (SlowDown: please reduce your request rate) reading data/" + b.id() + ".3f9a0c1e.pgdump.zst.esdk";
                }
                out.add(new Verification(b.id(), at.plusSeconds(20L * i), outcome, reason, "identical",
                        Math.round(b.plainBytes() / (200.0 * (1 << 20)) * 1000), requestId));
            }
            week++;
        }
        return out;
    }

    private List<RestoreTest> restoreTests(List<Backup> backups, Instant start) {
        List<RestoreTest> out = new ArrayList<>();
        ZonedDateTime month = start.atZone(ZoneOffset.UTC).withDayOfMonth(1).plusMonths(1).withHour(5);
        int n = 0;
        for (; !month.toInstant().isAfter(now); month = month.plusMonths(1), n++) {
            Instant at = month.toInstant();
            Backup b = backups.stream().filter(x -> x.takenAt().isBefore(at)).reduce((x, y) -> y).orElseThrow();
            boolean fail = incidents && n == 4;
            out.add(restoreTest(b, at, fail));
            if (fail) {
                out.add(restoreTest(b, at.plus(Duration.ofDays(1)), false));
            }
        }
        return out;
    }

    private RestoreTest restoreTest(Backup b, Instant at, boolean fail) {
        Duration restore = Duration.ofMillis(Math.round(b.plainBytes() / restoreBytesPerSecond * 1000 * (1 + 0.05 * random.nextGaussian())));
        Duration estimated = Duration.ofMillis(Math.round(restore.toMillis() * 1.03));
        List<TableCheck> tables = new ArrayList<>();
        long totalRows = b.plainBytes() / 180;
        for (int i = 0; i < TABLES.size(); i++) {
            long rows = Math.max(3, Math.round(totalRows * ROW_SHARE[i]));
            tables.add(new TableCheck(TABLES.get(i)[0], TABLES.get(i)[1], rows, rows, true));
        }
        if (extraTable != null) {
            tables.add(new TableCheck("taskmaster", extraTable, 7, fail ? 6L : 7L, !fail));
        }
        List<String> failures = fail ? List.of("smoke query SELECT count(*) > 0 FROM taskmaster.users WHERE active returned false") : List.of();
        return new RestoreTest(at, b.id(), !fail, failures, restore, estimated, b.plainBytes(),
                tables.stream().allMatch(TableCheck::equal), tables,
                Math.round((198 + 6 * random.nextGaussian()) * (1 << 20)), null);
    }

    static ReadinessHistory year() {
        return new ReadinessHistory();
    }

    private static Instant lastSunday(Instant t) {
        ZonedDateTime z = t.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
        while (z.getDayOfWeek() != DayOfWeek.SUNDAY) {
            z = z.minusDays(1);
        }
        return z.toInstant();
    }

    private static LocalDate day(Instant t) {
        return t.atZone(ZoneOffset.UTC).toLocalDate();
    }

    private static String month(Instant t) {
        LocalDate d = day(t);
        return d.getYear() + "-" + d.getMonthValue();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
