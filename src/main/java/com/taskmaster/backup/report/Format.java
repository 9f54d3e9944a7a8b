package com.taskmaster.backup.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Numbers, sizes, durations and times as people read them (UTC, binary units, two or three significant figures).
 * Every output is plain text: callers escape it like any other text.
 */
final class Format {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Format() {
    }

    static String bytes(double bytes) {
        requireFinite(bytes);
        int unit = 0;
        double v = bytes;
        while (Math.abs(v) >= 1024 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        if (unit == 0) {
            return String.format(Locale.ROOT, "%.0f B", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) < 10 ? "%.2f %s" : Math.abs(v) < 100 ? "%.1f %s" : "%.0f %s", v, UNITS[unit]);
    }

    static String seconds(double seconds) {
        requireFinite(seconds);
        if (seconds < 60) {
            return String.format(Locale.ROOT, seconds < 10 ? "%.1f s" : "%.0f s", seconds);
        }
        return duration(Duration.ofMillis(Math.round(seconds * 1000)));
    }

    /** "3 h 20 min", "14 min 30 s", "2 d 4 h", "12.5 s". */
    static String duration(Duration d) {
        long s = d.getSeconds();
        if (s < 60) {
            return seconds(d.toMillis() / 1000.0);
        }
        // Up to two days in hours: "26 h" reads better than "1 d 2 h".
        long days = s < 2 * 86_400 ? 0 : s / 86_400;
        long hours = (s - days * 86_400) / 3600;
        long minutes = s % 3600 / 60;
        long secs = s % 60;
        if (days > 0) {
            return hours == 0 ? days + (days == 1 ? " day" : " days") : days + " d " + hours + " h";
        }
        if (hours > 0) {
            return hours + " h" + (minutes > 0 ? " " + minutes + " min" : "");
        }
        return minutes + " min" + (secs > 0 ? " " + secs + " s" : "");
    }

    static String day(Instant t) {
        return DAY.format(t);
    }

    static String minute(Instant t) {
        return MINUTE.format(t);
    }

    /** "in 47 days", "3 h ago". */
    static String relative(Instant t, Instant now) {
        Duration d = Duration.between(now, t);
        Duration abs = d.abs();
        String span = abs.toDays() >= 2 ? count(abs.toDays()) + " days" : duration(abs);
        return d.isNegative() ? span + " ago" : "in " + span;
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String percent(double share) {
        requireFinite(share);
        double p = share * 100;
        return String.format(Locale.ROOT, p < 1 ? "%.2f%%" : p < 10 ? "%.1f%%" : "%.0f%%", p);
    }

    /** A coordinate or length for SVG: finite, at most one decimal. Non-finite numbers are a bug, never output. */
    static String coord(double v) {
        requireFinite(v);
        double r = Math.round(v * 10) / 10.0;
        return r == Math.rint(r) ? Long.toString((long) r) : String.format(Locale.ROOT, "%.1f", r);
    }

    private static void requireFinite(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("not a finite number: " + v);
        }
    }
}
