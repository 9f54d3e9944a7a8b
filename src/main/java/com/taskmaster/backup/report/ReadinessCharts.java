package com.taskmaster.backup.report;

import com.taskmaster.backup.report.ReadinessInput.Backup;
import com.taskmaster.backup.report.ReadinessInput.RestoreTest;
import com.taskmaster.backup.report.ReadinessInput.TierSample;
import com.taskmaster.backup.report.ReadinessInput.Verification;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The six charts of the report over its 13-month window, each with a legend and a sentence that says what it
 * shows in numbers (for readers who do not read charts, screen readers, and black-and-white print).
 */
final class ReadinessCharts {
    /** A chart ready for the page: its heading, the SVG, its legend (CSS class, label, shape) and a summary. */
    record Figure(String heading, String svg, List<Legend> legend, String summary) {
    }

    record Legend(String cssClass, String label, String shape) {
    }

    private static final Duration DAYS_3 = Duration.ofDays(3);
    private static final Duration CONNECT_ALL = Duration.ofDays(10_000);
    private static final int MAX_BARS = 120;

    private final Readiness r;
    private final ReadinessInput in;
    private final Instant from;
    private final Instant to;

    ReadinessCharts(Readiness r) {
        this.r = r;
        this.in = r.input();
        this.from = r.windowStart();
        this.to = r.now();
    }

    List<Figure> all() {
        return List.of(sizes(), durations(), verifications(), restores(), achievedRpo(), storage());
    }

    private List<Backup> windowBackups() {
        return in.backups().stream().filter(b -> !b.takenAt().isBefore(from) && !b.takenAt().isAfter(to)).toList();
    }

    Figure sizes() {
        List<Backup> newestOfDay = perDay(windowBackups(), Backup::takenAt, b -> 0).values().stream().toList();
        List<Chart.Point> plain = newestOfDay.stream().filter(b -> b.plainBytes() != null)
                .map(b -> new Chart.Point(b.takenAt(), b.plainBytes())).toList();
        List<Chart.Point> stored = newestOfDay.stream().map(b -> new Chart.Point(b.takenAt(), b.storedBytes())).toList();
        Chart c = new Chart("c-size", "Backup size per day", "The newest backup of each UTC day: plain (pg_dump archive) "
                + "and stored (compressed and encrypted) size, over the last 13 months.", from, to, Chart.Unit.BYTES, "No backup yet")
                .line("plain", plain, DAYS_3).line("stored", stored, DAYS_3);
        String summary = newestOfDay.isEmpty() ? "No backup yet." : sizeSummary(newestOfDay.get(newestOfDay.size() - 1));
        return new Figure("Backup size per day", c.svg(), List.of(new Legend("plain", "plain (pg_dump archive)", "line"),
                new Legend("stored", "stored (zstd + encrypted)", "line")), summary);
    }

    private String sizeSummary(Backup newest) {
        String s = "Newest (" + Format.day(newest.takenAt()) + "): " + (newest.plainBytes() == null ? "plain size unknown"
                : Format.bytes(newest.plainBytes()) + " plain") + ", " + Format.bytes(newest.storedBytes()) + " stored";
        if (newest.plainBytes() != null && newest.plainBytes() > 0) {
            s += " (" + Format.percent((double) newest.storedBytes() / newest.plainBytes()) + " of plain)";
        }
        List<LinearTrend.Point> recent = Forecast.dailyMax(in.backups().stream()
                .filter(b -> b.plainBytes() != null && b.takenAt().isAfter(to.minus(Forecast.TREND_WINDOW)) && !b.takenAt().isAfter(to))
                .toList(), Backup::takenAt, b -> b.plainBytes());
        Optional<LinearTrend> trend = recent.size() >= Forecast.MIN_DAYS ? LinearTrend.fit(recent) : Optional.empty();
        return s + trend.map(t -> "; trend over 90 days: " + (t.slope() >= 0 ? "+" : "−") + Format.bytes(Math.abs(t.slope()))
                + " plain per day").orElse("") + ".";
    }

    Figure durations() {
        List<Backup> timed = windowBackups().stream().filter(b -> b.duration() != null).toList();
        List<Chart.Point> longest = perDay(timed, Backup::takenAt, b -> b.duration().toMillis()).values().stream()
                .map(b -> new Chart.Point(b.takenAt(), b.duration().toMillis() / 1000.0)).toList();
        double usable = in.settings().backupLimits().usableTime().toMillis() / 1000.0;
        Chart c = new Chart("c-duration", "Backup duration", "The longest backup of each UTC day, from snapshot to data "
                + "object complete, against the time the backup function may use.", from, to, Chart.Unit.SECONDS, "No backup yet")
                .line("duration", longest, DAYS_3)
                .threshold("function limit " + Format.seconds(usable), usable, "limit");
        String summary = longest.isEmpty() ? "No backup duration recorded yet." : longestSummary(longest, usable, "backup");
        return new Figure("Backup duration", c.svg(), List.of(new Legend("duration", "longest backup of the day", "line"),
                new Legend("limit", "function timeout less 30 s reserve", "dash")), summary);
    }

    private static String longestSummary(List<Chart.Point> points, double limit, String what) {
        Chart.Point max = points.stream().max((a, b) -> Double.compare(a.value(), b.value())).orElseThrow();
        Chart.Point last = points.get(points.size() - 1);
        return "Latest " + what + ": " + Format.seconds(last.value()) + "; longest in 13 months: " + Format.seconds(max.value())
                + " on " + Format.day(max.at()) + " (" + Format.percent(max.value() / limit) + " of the " + Format.seconds(limit)
                + " the function may use).";
    }

    Figure verifications() {
        List<Verification> records = in.verifications().stream()
                .filter(v -> !v.verifiedAt().isBefore(from) && !v.verifiedAt().isAfter(to)).toList();
        Map<Instant, int[]> weeks = new TreeMap<>();
        for (Verification v : records) {
            int[] counts = weeks.computeIfAbsent(Adherence.periodStart(ReadinessInput.Schedule.Period.WEEK, v.verifiedAt()), w -> new int[3]);
            counts[switch (v.outcome()) { case "passed" -> 0; case "failed" -> 1; default -> 2; }]++;
        }
        List<Chart.Bar> bars = new ArrayList<>();
        weeks.forEach((week, n) -> bars.add(new Chart.Bar(week, week.plus(Duration.ofDays(7)), List.of((double) n[0], (double) n[1], (double) n[2]),
                "week of " + Format.day(week) + ": " + n[0] + " passed, " + n[1] + " failed, " + n[2] + " error")));
        Chart c = new Chart("c-verify", "Verification outcomes per week", "How many backups each week's verification read "
                + "back and found intact (passed), damaged (failed), or could not check (error).", from, to, Chart.Unit.COUNT,
                "No verification yet").bars(List.of("passed", "failed", "error"), bars);
        long passed = records.stream().filter(Verification::passed).count();
        long failed = records.stream().filter(v -> v.outcome().equals("failed")).count();
        long error = records.size() - passed - failed;
        String summary = records.isEmpty() ? "No verification in the last 13 months." : Format.count(records.size())
                + " checks in 13 months: " + Format.count(passed) + " passed, " + Format.count(failed) + " failed, "
                + Format.count(error) + " could not be completed" + records.stream().filter(v -> !v.passed()).reduce((a, b) -> b)
                .map(v -> "; last problem " + Format.day(v.verifiedAt()) + ", " + v.backupId() + " " + v.outcome()
                        + (v.reason() == null ? "" : ": " + v.reason())).orElse("") + ".";
        return new Figure("Verification outcomes per week", c.svg(), List.of(new Legend("passed", "passed", "box"),
                new Legend("failed", "failed", "box"), new Legend("error", "error (no verdict)", "box")), summary);
    }

    Figure restores() {
        List<RestoreTest> tests = in.restoreTests().stream().filter(t -> !t.startedAt().isBefore(from) && !t.startedAt().isAfter(to)).toList();
        List<Chart.Point> measured = tests.stream().filter(t -> t.restore() != null)
                .map(t -> new Chart.Point(t.startedAt(), t.restore().toMillis() / 1000.0, Format.day(t.startedAt()) + ", backup "
                        + t.backupId() + ": restored in " + Format.duration(t.restore()))).toList();
        List<Chart.Point> estimated = tests.stream().filter(t -> t.estimatedFull() != null)
                .map(t -> new Chart.Point(t.startedAt(), t.estimatedFull().toMillis() / 1000.0, Format.day(t.startedAt()) + ", backup "
                        + t.backupId() + ": estimated " + Format.duration(t.estimatedFull()) + " at the source's size")).toList();
        double rto = in.settings().rto().toMillis() / 1000.0;
        double usable = in.settings().restoreTestLimits().usableTime().toMillis() / 1000.0;
        Chart c = new Chart("c-restore", "Restore time against the RTO", "Each restore test: the restore time measured, and "
                + "extrapolated to the source database's size, against the recovery time objective.", from, to, Chart.Unit.SECONDS,
                "No restore test yet")
                .dots("estimated", true, estimated).dots("measured", false, measured)
                .threshold("RTO " + Format.duration(in.settings().rto()), rto, "rto");
        if (usable < rto) {
            c.threshold("restore-test function limit " + Format.seconds(usable), usable, "limit");
        }
        String summary = tests.isEmpty() ? "No restore test in the last 13 months: restorability is not proven."
                : restoreSummary(tests.get(tests.size() - 1), tests.size());
        return new Figure("Restore time against the RTO", c.svg(), List.of(new Legend("measured", "measured restore", "dot"),
                new Legend("estimated", "extrapolated to the source size", "ring"), new Legend("rto", "RTO", "dash"),
                new Legend("limit", "restore-test function limit", "dash")), summary);
    }

    private String restoreSummary(RestoreTest last, int count) {
        String s = count + " restore test" + (count == 1 ? "" : "s") + " in 13 months; last (" + Format.day(last.startedAt()) + "): ";
        s += last.restore() == null ? "no restore time measured" : "restored in " + Format.duration(last.restore());
        if (last.estimatedFull() != null) {
            s += ", estimated " + Format.duration(last.estimatedFull()) + " at the source database's size ("
                    + Format.percent((double) last.estimatedFull().toMillis() / in.settings().rto().toMillis()) + " of the RTO of "
                    + Format.duration(in.settings().rto()) + ")";
        }
        return s + ".";
    }

    Figure achievedRpo() {
        List<Instant> times = in.backups().stream().map(Backup::takenAt).filter(t -> !t.isAfter(to)).toList();
        Map<LocalDate, Chart.Point> worst = new TreeMap<>();
        for (int i = 1; i < times.size(); i++) {
            Instant t = times.get(i);
            if (t.isBefore(from)) {
                continue;
            }
            double gap = Duration.between(times.get(i - 1), t).getSeconds();
            worst.merge(t.atZone(ZoneOffset.UTC).toLocalDate(), new Chart.Point(t, gap), (a, b) -> a.value() >= b.value() ? a : b);
        }
        List<Chart.Point> points = new ArrayList<>(worst.values());
        Optional<Double> open = times.isEmpty() ? Optional.empty() : Optional.of((double) Duration.between(times.get(times.size() - 1), to).getSeconds());
        open.ifPresent(o -> points.add(new Chart.Point(to, o)));
        double rpo = in.settings().rpo().getSeconds();
        Chart c = new Chart("c-rpo", "Achieved RPO: gap between consecutive backups", "For each UTC day the longest time "
                + "between two consecutive backups (the data a failure then would have lost), and the time since the newest "
                + "backup now, against the recovery point objective.", from, to, Chart.Unit.SECONDS, "Fewer than two backups yet")
                .line("gap", points.size() > 1 ? points : List.of(), CONNECT_ALL)
                .threshold("RPO " + Format.duration(in.settings().rpo()), rpo, "rto");
        String summary;
        if (worst.isEmpty()) {
            summary = times.isEmpty() ? "No backup yet: everything would be lost." : "One backup so far; "
                    + Format.duration(Duration.ofSeconds(open.orElse(0.0).longValue())) + " since it.";
        } else {
            Chart.Point max = worst.values().stream().max((a, b) -> Double.compare(a.value(), b.value())).orElseThrow();
            long over = worst.values().stream().filter(p -> p.value() >= rpo).count();
            summary = "Longest gap in 13 months: " + Format.duration(Duration.ofSeconds((long) max.value())) + " (ending "
                    + Format.day(max.at()) + "); " + over + " day" + (over == 1 ? "" : "s") + " with a gap at or over the RPO of "
                    + Format.duration(in.settings().rpo()) + "; now " + Format.duration(Duration.ofSeconds(open.orElse(0.0).longValue()))
                    + " since the newest backup.";
        }
        return new Figure("Achieved RPO", c.svg(), List.of(new Legend("gap", "longest gap of the day", "line"),
                new Legend("rto", "RPO", "dash")), summary);
    }

    Figure storage() {
        Map<Instant, Map<String, Long>> byTime = new TreeMap<>();
        LinkedHashSet<String> tiers = new LinkedHashSet<>();
        for (TierSample s : in.storage()) {
            if (s.at().isBefore(from) || s.at().isAfter(to)) {
                continue;
            }
            tiers.add(s.tier());
            byTime.computeIfAbsent(s.at(), t -> new LinkedHashMap<>()).merge(s.tier(), s.bytes(), Long::sum);
        }
        List<String> tierList = List.copyOf(tiers);
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < tierList.size(); i++) {
            classes.add("tier" + Math.min(i, 5));
        }
        List<Instant> at = weekly(List.copyOf(byTime.keySet()));
        List<Chart.Bar> bars = new ArrayList<>();
        for (int i = 0; i < at.size(); i++) {
            Instant end = i + 1 < at.size() ? at.get(i + 1) : at.get(i).plus(Duration.ofDays(1));
            Map<String, Long> m = byTime.get(at.get(i));
            bars.add(new Chart.Bar(at.get(i), end, tierList.stream().map(t -> (double) m.getOrDefault(t, 0L)).toList(), null));
        }
        String note = in.storageNote() == null ? "" : " (" + in.storageNote() + ")";
        Chart c = new Chart("c-storage", "Storage used by tier", "Bytes stored in each storage tier over the last 13 months"
                + note + ".", from, to, Chart.Unit.BYTES, "No storage figures").bars(classes, bars);
        List<Legend> legend = new ArrayList<>();
        for (int i = 0; i < tierList.size(); i++) {
            legend.add(new Legend(classes.get(i), tierList.get(i), "box"));
        }
        String summary;
        if (at.isEmpty()) {
            summary = "No storage figures were given to the report.";
        } else {
            Map<String, Long> last = byTime.get(at.get(at.size() - 1));
            long total = last.values().stream().mapToLong(Long::longValue).sum();
            List<String> parts = new ArrayList<>();
            last.forEach((t, b) -> parts.add(t + " " + Format.bytes(b)));
            summary = "On " + Format.day(at.get(at.size() - 1)) + ": " + Format.bytes(total) + " in all (" + String.join(", ", parts) + ")"
                    + note + ".";
        }
        return new Figure("Storage used by tier", c.svg(), legend, summary);
    }

    /** With more than {@link #MAX_BARS} times, the last time of each ISO week: a daily bar would be thinner than a pixel. */
    private static List<Instant> weekly(List<Instant> times) {
        if (times.size() <= MAX_BARS) {
            return times;
        }
        Map<Instant, Instant> lastOfWeek = new TreeMap<>();
        times.forEach(t -> lastOfWeek.put(Adherence.periodStart(ReadinessInput.Schedule.Period.WEEK, t), t));
        return List.copyOf(lastOfWeek.values());
    }

    /** Per UTC day, the item with the largest {@code rank} (ties: the later one). */
    private static <T> Map<LocalDate, T> perDay(List<T> items, Function<T, Instant> time, ToDoubleFunction<T> rank) {
        Map<LocalDate, T> out = new TreeMap<>();
        for (T item : items) {
            out.merge(time.apply(item).atZone(ZoneOffset.UTC).toLocalDate(), item,
                    (a, b) -> rank.applyAsDouble(b) >= rank.applyAsDouble(a) ? b : a);
        }
        return out;
    }
}
