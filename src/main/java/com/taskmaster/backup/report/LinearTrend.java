package com.taskmaster.backup.report;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An ordinary least-squares line {@code y = intercept + slope × (t − origin)} through time-stamped values, with
 * t in days. Small enough to write here; what matters is that it is a plain, documented method a reader can
 * recompute with a spreadsheet.
 *
 * @param origin    the time x = 0 stands for (the mean of the samples' times, which keeps the arithmetic exact enough)
 * @param intercept the fitted value at {@code origin}
 * @param slope     change per day
 * @param samples   how many points the line was fitted to
 */
public record LinearTrend(Instant origin, double intercept, double slope, int samples) {
    private static final double SECONDS_PER_DAY = 86_400.0;
    /** How far ahead {@link #reaches} looks. */
    public static final Duration HORIZON = Duration.ofDays(3653);

    /** One time-stamped value. */
    public record Point(Instant at, double value) {
    }

    /** The fitted line, or empty with fewer than two points, points all at one time, or a non-finite value. */
    public static Optional<LinearTrend> fit(List<Point> points) {
        if (points.size() < 2 || points.stream().anyMatch(p -> !Double.isFinite(p.value()))) {
            return Optional.empty();
        }
        double meanSeconds = points.stream().mapToDouble(p -> p.at().getEpochSecond()).average().orElseThrow();
        Instant origin = Instant.ofEpochSecond((long) meanSeconds);
        double sx = 0;
        double sy = 0;
        for (Point p : points) {
            sx += days(origin, p.at());
            sy += p.value();
        }
        double mx = sx / points.size();
        double my = sy / points.size();
        double sxx = 0;
        double sxy = 0;
        for (Point p : points) {
            double dx = days(origin, p.at()) - mx;
            sxx += dx * dx;
            sxy += dx * (p.value() - my);
        }
        if (sxx == 0) {
            return Optional.empty();
        }
        double slope = sxy / sxx;
        return Optional.of(new LinearTrend(origin, my - slope * mx, slope, points.size()));
    }

    public double valueAt(Instant t) {
        return intercept + slope * days(origin, t);
    }

    /**
     * When the line reaches {@code limit}, searching after {@code from}: empty when it never does (flat or falling
     * below the limit), or not within {@link #HORIZON} (no straight line says anything that far ahead). A line
     * already at or above the limit at {@code from} reaches it at {@code from}.
     */
    public Optional<Instant> reaches(double limit, Instant from) {
        if (valueAt(from) >= limit) {
            return Optional.of(from);
        }
        if (slope <= 0) {
            return Optional.empty();
        }
        double fromDay = days(origin, from);
        double day = (limit - intercept) / slope;
        if (day - fromDay > HORIZON.toDays()) {
            return Optional.empty();
        }
        return Optional.of(origin.plusSeconds(Math.round(day * SECONDS_PER_DAY)));
    }

    static double days(Instant from, Instant to) {
        return Duration.between(from, to).getSeconds() / SECONDS_PER_DAY;
    }
}
