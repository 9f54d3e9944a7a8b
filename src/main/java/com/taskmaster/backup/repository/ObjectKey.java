package com.taskmaster.backup.repository;

import java.util.regex.Pattern;

/**
 * A validated relative key. Segments start with a letter or digit and use only {@code [A-Za-z0-9._-]},
 * so "..", absolute paths, backslashes and URL tricks are impossible by construction.
 */
public record ObjectKey(String value) implements Comparable<ObjectKey> {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    public ObjectKey {
        if (value == null || value.isEmpty() || value.length() > 900) {
            throw new IllegalArgumentException("invalid object key: empty or too long");
        }
        for (String segment : value.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException("invalid object key '" + value + "': segment '" + segment
                        + "' must start with a letter or digit and use only letters, digits, '.', '_' and '-'");
            }
        }
    }

    public static ObjectKey of(String value) {
        return new ObjectKey(value);
    }

    /** Validates a listing prefix: empty, or key segments ending with '/'. */
    public static String checkPrefix(String prefix) {
        if (prefix.isEmpty()) {
            return prefix;
        }
        String body = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        new ObjectKey(body);
        return prefix;
    }

    /** The last segment. */
    public String name() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    @Override
    public int compareTo(ObjectKey o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
