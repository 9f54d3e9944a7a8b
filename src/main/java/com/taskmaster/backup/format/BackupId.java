package com.taskmaster.backup.format;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.taskmaster.backup.support.RandomIds;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/**
 * A backup's id: its UTC start (or scheduled) time, then what made it, e.g. {@code 20261128T020000Z-daily}
 * or {@code 20261128T041503Z-manual-k3f9q2}. Ids sort by time, and their alphabet (lower-case letters,
 * digits, '-') cannot address anything outside the repository's prefix.
 */
public record BackupId(String value) implements Comparable<BackupId> {
    private static final Pattern FORMAT = Pattern.compile("\\d{8}T\\d{6}Z-[a-z0-9]+(-[a-z0-9]+){0,4}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC).withResolverStyle(java.time.format.ResolverStyle.STRICT);

    @JsonCreator
    public BackupId {
        if (value == null || value.length() > 80 || !FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid backup id '" + abbreviate(value)
                    + "': expected e.g. 20261128T020000Z-daily (UTC time, then lower-case letters, digits and '-')");
        }
        try {
            Instant.from(STAMP.parse(value.substring(0, 16))); // a real date: no 13th month, no 31 February
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("invalid backup id '" + abbreviate(value) + "': " + value.substring(0, 16)
                    + " is not a real UTC time", e);
        }
    }

    public static BackupId parse(String value) {
        return new BackupId(value);
    }

    public static BackupId manual(Instant now) {
        return new BackupId(STAMP.format(now.truncatedTo(ChronoUnit.SECONDS)) + "-manual-" + RandomIds.suffix(6));
    }

    /** The same schedule and scheduled time always give the same id: a redelivered event makes no second backup. */
    public static BackupId scheduled(Instant scheduledTime, String schedule) {
        return new BackupId(STAMP.format(scheduledTime.truncatedTo(ChronoUnit.SECONDS)) + "-" + schedule);
    }

    /** The time encoded in the id. */
    public Instant time() {
        return Instant.from(STAMP.parse(value.substring(0, 16)));
    }

    @JsonValue
    @Override
    public String toString() {
        return value;
    }

    @Override
    public int compareTo(BackupId o) {
        return value.compareTo(o.value);
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 100 ? printable.substring(0, 100) + "..." : printable;
    }
}
