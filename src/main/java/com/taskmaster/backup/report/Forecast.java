package com.taskmaster.backup.report;

import com.taskmaster.backup.report.ReadinessInput.Backup;
import com.taskmaster.backup.report.ReadinessInput.LambdaLimits;
import com.taskmaster.backup.report.ReadinessInput.RestoreTest;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * When will a backup or a restore test no longer fit the limits it runs under? A pure function of the history.
 *
 * <p>Method (deliberately simple, so that a reader can redo it):
 * <ol>
 * <li><b>Size trend.</b> An ordinary least-squares line ({@link LinearTrend}) through the largest plain (pg_dump)
 *     size of each UTC day over the last {@link #TREND_WINDOW}; at least {@link #MIN_DAYS} days are needed.
 *     A line, not a curve: over 90 days growth is close to linear, and the window keeps the line current.</li>
 * <li><b>Time per byte.</b> Backup and restore times follow the dump's size, so each is projected as
 *     (median seconds per plain byte of its recent runs: the last {@link #BACKUP_COST_RUNS} backups, the last
 *     {@link #RESTORE_COST_RUNS} restore tests) × (size trend). The median ignores one slow run on a busy day.
 *     The restore is projected twice: as measured (against the restore-test function's timeout) and as
 *     extrapolated to the source database's size (against the RTO).</li>
 * <li><b>Memory and /tmp</b> do not follow the size (everything streams), so they get their own least-squares line
 *     over time, where the runs recorded them.</li>
 * <li>A limit is the function's timeout less the reserve the handler keeps to report (30 s), its memory size,
 *     its ephemeral storage, or the RTO. A projection reaching its limit within {@code forecastWarning}
 *     (default 90 days) is a {@link State#WARNING}; one already there, {@link State#EXCEEDED}.</li>
 * </ol>
 */
public record Forecast(Instant now, Duration warningHorizon, List<Projection> projections) {
    public static final Duration TREND_WINDOW = Duration.ofDays(90);
    public static final int MIN_DAYS = 7;
    public static final int BACKUP_COST_RUNS = 14;
    public static final int RESTORE_COST_RUNS = 3;
    private static final Duration RESTORE_WINDOW = Duration.ofDays(400);

    public enum State { EXCEEDED, WARNING, LATER, NOT_ON_TREND, NO_DATA }

    public enum Unit { SECONDS, BYTES }

    /**
     * One limit and when the trend reaches it.
     *
     * @param latest    the latest measured value, or null
     * @param projected the trend's value now, or null
     * @param reachesAt when the trend reaches the limit, or null (never on this trend, or no data)
     * @param basis     how it was computed, in words, for the report
     */
    public record Projection(String operation, String measure, String limitName, double limit, Unit unit, Double latest,
                             Double projected, Instant reachesAt, State state, String basis) {
        public boolean alarming() {
            return state == State.EXCEEDED || state == State.WARNING;
        }
    }

    public Forecast {
        projections = List.copyOf(projections);
    }

    /** True when a limit is reached within the warning horizon, or already: the handler alerts on this. */
    public boolean warning() {
        return projections.stream().anyMatch(Projection::alarming);
    }

    /** Whole days until the first limit is reached on the trend (0 when already reached): the metric; empty when none is. */
    public OptionalLong daysUntilFirstLimit() {
        return first().map(p -> OptionalLong.of(Math.max(0, ChronoUnit.DAYS.between(now, p.reachesAt()))))
                .orElse(OptionalLong.empty());
    }

    /** The projection that reaches its limit first, if any does. */
    public Optional<Projection> first() {
        return projections.stream().filter(p -> p.reachesAt() != null).min(Comparator.comparing(Projection::reachesAt));
    }

    public static Forecast of(ReadinessInput in, Instant now) {
        List<Backup> recent = in.backups().stream()
                .filter(b -> !b.takenAt().isBefore(now.minus(TREND_WINDOW)) && !b.takenAt().isAfter(now)).toList();
        List<RestoreTest> tests = in.restoreTests().stream()
                .filter(t -> !t.startedAt().isBefore(now.minus(RESTORE_WINDOW)) && !t.startedAt().isAfter(now)).toList();
        Optional<LinearTrend> size = LinearTrend.fit(dailyMax(recent.stream().filter(b -> b.plainBytes() != null).toList(),
                Backup::takenAt, b -> b.plainBytes()));
        int sizeDays = size.map(LinearTrend::samples).orElse(0);
        Optional<LinearTrend> usableSize = sizeDays >= MIN_DAYS ? size : Optional.empty();
        Duration horizon = in.settings().forecastWarning();
        LambdaLimits backup = in.settings().backupLimits();
        LambdaLimits restore = in.settings().restoreTestLimits();
        Builder b = new Builder(now, horizon, usableSize, sizeDays);

        List<Backup> timed = recent.stream().filter(x -> x.duration() != null && x.plainBytes() != null && x.plainBytes() > 0).toList();
        List<RestoreTest> restored = tests.stream().filter(t -> t.restore() != null && t.plainBytes() != null && t.plainBytes() > 0).toList();
        List<RestoreTest> estimated = restored.stream().filter(t -> t.estimatedFull() != null).toList();
        List<Projection> out = new ArrayList<>();
        out.add(b.perByte("backup", "duration", "function timeout less 30 s reserve", seconds(backup.usableTime()),
                last(timed, BACKUP_COST_RUNS), x -> seconds(x.duration()), x -> x.plainBytes(), "backups"));
        out.add(b.perByte("restore test", "restore time", "function timeout less 30 s reserve", seconds(restore.usableTime()),
                last(restored, RESTORE_COST_RUNS), t -> seconds(t.restore()), t -> t.plainBytes(), "restore tests"));
        out.add(b.perByte("full restore", "estimated time at source size", "RTO", seconds(in.settings().rto()),
                last(estimated, RESTORE_COST_RUNS), t -> seconds(t.estimatedFull()), t -> t.plainBytes(), "restore tests"));
        out.add(b.direct("backup", "peak memory", "function memory", backup.memoryBytes(),
                dailyMax(recent.stream().filter(x -> x.peakMemoryBytes() != null).toList(), Backup::takenAt, x -> x.peakMemoryBytes()), MIN_DAYS));
        out.add(b.direct("backup", "/tmp used", "ephemeral storage", backup.ephemeralBytes(),
                dailyMax(recent.stream().filter(x -> x.tmpBytes() != null).toList(), Backup::takenAt, x -> x.tmpBytes()), MIN_DAYS));
        out.add(b.direct("restore test", "peak memory", "function memory", restore.memoryBytes(),
                dailyMax(tests.stream().filter(t -> t.peakMemoryBytes() != null).toList(), RestoreTest::startedAt, t -> t.peakMemoryBytes()), 3));
        out.add(b.direct("restore test", "/tmp used", "ephemeral storage", restore.ephemeralBytes(),
                dailyMax(tests.stream().filter(t -> t.tmpBytes() != null).toList(), RestoreTest::startedAt, t -> t.tmpBytes()), 3));
        return new Forecast(now, horizon, out);
    }

    /** The projections, fitted and classified against the warning horizon. */
    private record Builder(Instant now, Duration horizon, Optional<LinearTrend> size, int sizeDays) {

        <T> Projection perByte(String operation, String measure, String limitName, double limit, List<T> runs,
                               ToDoubleFunction<T> seconds, ToDoubleFunction<T> plainBytes, String runsName) {
            Double latest = runs.isEmpty() ? null : seconds.applyAsDouble(runs.get(runs.size() - 1));
            if (runs.isEmpty()) {
                return none(operation, measure, limitName, limit, Unit.SECONDS, latest, "no " + runsName + " with a measured time in the window yet");
            }
            if (size.isEmpty()) {
                return none(operation, measure, limitName, limit, Unit.SECONDS, latest,
                        "not enough size history: " + sizeDays + " day(s) of sizes in the last 90, " + MIN_DAYS + " needed");
            }
            double cost = median(runs.stream().mapToDouble(r -> seconds.applyAsDouble(r) / plainBytes.applyAsDouble(r)).toArray());
            LinearTrend trend = size.get();
            double projected = cost * trend.valueAt(now);
            Instant reaches = cost > 0 ? trend.reaches(limit / cost, now).orElse(null) : null;
            if (latest >= limit) {
                reaches = now;
            }
            String basis = String.format(java.util.Locale.ROOT,
                    "median %.3g s per GiB over the last %d %s × dump size trend (%s per day over %d days)",
                    cost * GIB, runs.size(), runsName, signedBytes(trend.slope()), trend.samples());
            return classify(operation, measure, limitName, limit, Unit.SECONDS, latest, projected, reaches, basis);
        }

        Projection direct(String operation, String measure, String limitName, double limit, List<LinearTrend.Point> points, int minPoints) {
            Double latest = points.isEmpty() ? null : points.get(points.size() - 1).value();
            if (points.size() < minPoints) {
                return none(operation, measure, limitName, limit, Unit.BYTES, latest, points.isEmpty()
                        ? "not recorded by the runs" : "not enough runs recorded it: " + points.size() + ", " + minPoints + " needed");
            }
            Optional<LinearTrend> fit = LinearTrend.fit(points);
            if (fit.isEmpty()) {
                return none(operation, measure, limitName, limit, Unit.BYTES, latest, "no trend: all recorded at one time");
            }
            LinearTrend trend = fit.get();
            Instant reaches = latest >= limit ? now : trend.reaches(limit, now).orElse(null);
            String basis = String.format(java.util.Locale.ROOT, "least-squares line over %d day(s): %s per day",
                    trend.samples(), signedBytes(trend.slope()));
            return classify(operation, measure, limitName, limit, Unit.BYTES, latest, trend.valueAt(now), reaches, basis);
        }

        private Projection classify(String operation, String measure, String limitName, double limit, Unit unit, Double latest,
                                    Double projected, Instant reaches, String basis) {
            State state;
            if (reaches == null) {
                state = State.NOT_ON_TREND;
            } else if (!reaches.isAfter(now)) {
                state = State.EXCEEDED;
                reaches = now;
            } else if (!reaches.isAfter(now.plus(horizon))) {
                state = State.WARNING;
            } else {
                state = State.LATER;
            }
            return new Projection(operation, measure, limitName, limit, unit, latest, projected, reaches, state, basis);
        }

        private static Projection none(String operation, String measure, String limitName, double limit, Unit unit, Double latest, String why) {
            return new Projection(operation, measure, limitName, limit, unit, latest, null, null, State.NO_DATA, why);
        }
    }

    private static final double GIB = 1024.0 * 1024 * 1024;

    /** The largest value of each UTC day, as points at the day's latest time with that value. */
    static <T> List<LinearTrend.Point> dailyMax(List<T> items, Function<T, Instant> time, ToDoubleFunction<T> value) {
        Map<java.time.LocalDate, LinearTrend.Point> byDay = new TreeMap<>();
        for (T item : items) {
            Instant at = time.apply(item);
            double v = value.applyAsDouble(item);
            byDay.merge(at.atZone(ZoneOffset.UTC).toLocalDate(), new LinearTrend.Point(at, v),
                    (a, c) -> a.value() >= c.value() ? a : c);
        }
        return List.copyOf(byDay.values());
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static <T> List<T> last(List<T> items, int n) {
        return items.subList(Math.max(0, items.size() - n), items.size());
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static String signedBytes(double perDay) {
        return (perDay >= 0 ? "+" : "−") + Format.bytes(Math.abs(perDay));
    }
}
