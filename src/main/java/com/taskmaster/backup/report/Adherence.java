package com.taskmaster.backup.report;

import com.taskmaster.backup.report.ReadinessInput.Backup;
import com.taskmaster.backup.report.ReadinessInput.Schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Schedule adherence: for each expected schedule, how many of its periods (UTC hours, days, ISO weeks, months)
 * had a run. Counted are the periods that ended before now and started at or after both the report's window
 * start and the first backup (before the first backup nothing was expected). A period is covered by any run in
 * it, so a late or manual run counts; a second run in one period does not count twice.
 *
 * @param missedRecent the starts of the most recent missed periods, newest first, at most {@link #MISSED_SHOWN}
 */
public record Adherence(Schedule schedule, Instant from, long expected, long ran, List<Instant> missedRecent,
                        Instant lastRun) {
    public static final int MISSED_SHOWN = 5;

    public long missed() {
        return expected - ran;
    }

    public static List<Adherence> of(ReadinessInput in, Instant windowStart, Instant now) {
        Optional<Instant> firstBackup = in.backups().stream().map(Backup::takenAt).findFirst();
        List<Adherence> rows = new ArrayList<>();
        for (Schedule s : in.settings().schedules()) {
            List<Instant> runs = switch (s.kind()) {
                case BACKUP -> in.backups().stream().filter(b -> s.backupSchedules().contains(b.schedule()))
                        .map(Backup::takenAt).toList();
                case VERIFY -> in.verifications().stream().map(ReadinessInput.Verification::verifiedAt).toList();
                case RESTORE_TEST -> in.restoreTests().stream().map(ReadinessInput.RestoreTest::startedAt).toList();
            };
            rows.add(count(s, runs, firstBackup.map(f -> later(f, windowStart)).orElse(null), now));
        }
        return rows;
    }

    private static Adherence count(Schedule s, List<Instant> runs, Instant since, Instant now) {
        Instant lastRun = runs.stream().filter(r -> !r.isAfter(now)).max(Instant::compareTo).orElse(null);
        if (since == null) {
            return new Adherence(s, null, 0, 0, List.of(), lastRun);
        }
        Set<Instant> covered = new HashSet<>();
        runs.forEach(r -> covered.add(periodStart(s.period(), r)));
        ZonedDateTime start = periodStart(s.period(), since).atZone(ZoneOffset.UTC);
        if (start.toInstant().isBefore(since)) {
            start = next(s.period(), start);
        }
        long expected = 0;
        long ran = 0;
        List<Instant> missed = new ArrayList<>();
        for (ZonedDateTime p = start; !next(s.period(), p).toInstant().isAfter(now); p = next(s.period(), p)) {
            expected++;
            if (covered.contains(p.toInstant())) {
                ran++;
            } else {
                missed.add(0, p.toInstant());
                if (missed.size() > MISSED_SHOWN) {
                    missed.remove(missed.size() - 1);
                }
            }
        }
        return new Adherence(s, start.toInstant(), expected, ran, missed, lastRun);
    }

    static Instant periodStart(Schedule.Period period, Instant t) {
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        ZonedDateTime start = switch (period) {
            case HOUR -> z.truncatedTo(ChronoUnit.HOURS);
            case DAY -> z.truncatedTo(ChronoUnit.DAYS);
            case WEEK -> z.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> z.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
        };
        return start.toInstant();
    }

    private static ZonedDateTime next(Schedule.Period period, ZonedDateTime p) {
        return switch (period) {
            case HOUR -> p.plusHours(1);
            case DAY -> p.plusDays(1);
            case WEEK -> p.plusWeeks(1);
            case MONTH -> p.plusMonths(1);
        };
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
