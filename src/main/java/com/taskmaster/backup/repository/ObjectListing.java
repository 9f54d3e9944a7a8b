package com.taskmaster.backup.repository;

import java.util.List;

/**
 * What a listing found under a prefix: the committed objects whose keys are {@link ObjectKey}s (sorted by key), and
 * the keys that are not ({@code manifests/B.json~}, {@code data/copy of backup.esdk}): not written by this tool, so
 * never opened, trusted or deleted, only reported (printable: control characters escaped). One stray file must never
 * hide the good backups.
 */
public record ObjectListing(List<ObjectInfo> objects, List<String> foreignKeys) {
    public ObjectListing {
        objects = List.copyOf(objects);
        foreignKeys = List.copyOf(foreignKeys);
    }

    /** A key as it may be shown in messages and results: control characters as {@code \\uXXXX}. */
    public static String printable(String key) {
        StringBuilder out = new StringBuilder(key.length());
        key.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
