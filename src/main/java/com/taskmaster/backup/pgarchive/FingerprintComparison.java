package com.taskmaster.backup.pgarchive;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The archive's fingerprints against the restored database's: per table whether its row count and its
 * content are equal, and one line per difference naming the table and what differs.
 */
public record FingerprintComparison(List<TableCheck> tables, LargeObjectsCheck largeObjects,
                                    List<SequenceCheck> sequences) {
    /**
     * One table.
     *
     * @param restoredRows -1 when the table could not be read
     * @param difference   null when rows and digest are equal
     */
    public record TableCheck(String schema, String name, long expectedRows, long restoredRows, boolean rowsEqual,
                             boolean digestEqual, String difference) {
        public boolean equal() {
            return rowsEqual && digestEqual;
        }
    }

    public record LargeObjectsCheck(long expectedCount, long restoredCount, boolean countEqual, boolean digestEqual,
                                    String difference) {
        public boolean equal() {
            return countEqual && digestEqual;
        }
    }

    /** @param restored null when the sequence could not be read */
    public record SequenceCheck(String schema, String name, SequenceValue expected, SequenceValue restored,
                                String difference) {
        public boolean equal() {
            return difference == null;
        }
    }

    public FingerprintComparison {
        tables = List.copyOf(tables);
        sequences = List.copyOf(sequences);
        Objects.requireNonNull(largeObjects, "largeObjects");
    }

    /** For verify: the manifest's fingerprints against those recomputed from the stored archive. */
    public static FingerprintComparison compare(Fingerprints expected, Fingerprints recomputed) {
        return compare(expected, new DatabaseFingerprinter.Result(recomputed, List.of()));
    }

    public static FingerprintComparison compare(Fingerprints expected, DatabaseFingerprinter.Result restored) {
        Map<List<String>, TableDigest> actual = new HashMap<>();
        restored.fingerprints().tables().forEach(t -> actual.put(List.of(t.schema(), t.name()), t));
        Map<List<String>, String> unreadable = new HashMap<>();
        restored.unreadable().forEach(u -> unreadable.put(List.of(u.kind(), u.schema(), u.name()), u.reason()));

        List<TableCheck> tables = new ArrayList<>();
        for (TableDigest e : expected.tables()) {
            TableDigest a = actual.get(List.of(e.schema(), e.name()));
            tables.add(a == null
                    ? unreadableTable(e, unreadable.getOrDefault(List.of("table", e.schema(), e.name()), "not fingerprinted"))
                    : tableCheck(e, a));
        }
        List<SequenceCheck> sequences = new ArrayList<>();
        Map<List<String>, SequenceValue> seqs = new HashMap<>();
        restored.fingerprints().sequences().forEach(s -> seqs.put(List.of(s.schema(), s.name()), s));
        for (SequenceValue e : expected.sequences()) {
            SequenceValue a = seqs.get(List.of(e.schema(), e.name()));
            String diff = a == null
                    ? "sequence " + e.displayName() + ": could not be read: "
                            + unreadable.getOrDefault(List.of("sequence", e.schema(), e.name()), "not fingerprinted")
                    : a.lastValue() == e.lastValue() && a.isCalled() == e.isCalled() ? null
                    : "sequence " + e.displayName() + ": value differs: " + e.describe() + " vs " + a.describe();
            sequences.add(new SequenceCheck(e.schema(), e.name(), e, a, diff));
        }
        return new FingerprintComparison(tables, largeObjectsCheck(expected.largeObjects(),
                restored.fingerprints().largeObjects()), sequences);
    }

    private static TableCheck tableCheck(TableDigest e, TableDigest a) {
        boolean rows = e.rows() == a.rows();
        boolean digest = e.digest().equals(a.digest());
        String diff = !rows ? e.displayName() + ": count differs: " + e.rows() + " vs " + a.rows()
                : !digest ? e.displayName() + ": content differs with equal count (" + e.rows() + " rows)"
                : null;
        return new TableCheck(e.schema(), e.name(), e.rows(), a.rows(), rows, digest, diff);
    }

    private static TableCheck unreadableTable(TableDigest e, String reason) {
        return new TableCheck(e.schema(), e.name(), e.rows(), -1, false, false,
                e.displayName() + ": could not be read on the restored database: " + reason);
    }

    private static LargeObjectsCheck largeObjectsCheck(LargeObjectsDigest e, LargeObjectsDigest a) {
        boolean count = e.count() == a.count();
        boolean digest = e.digest().equals(a.digest());
        String diff = !count ? "large objects: count differs: " + e.count() + " vs " + a.count()
                : !digest ? "large objects: content differs with equal count (" + e.count() + ")"
                : null;
        return new LargeObjectsCheck(e.count(), a.count(), count, digest, diff);
    }

    /** True when every table, the large objects and every sequence are equal. */
    public boolean equal() {
        return differences().isEmpty();
    }

    /** One line per difference ("archive vs restored"), tables first; empty when all is equal. */
    public List<String> differences() {
        List<String> out = new ArrayList<>();
        tables.stream().filter(t -> !t.equal()).forEach(t -> out.add(t.difference()));
        if (!largeObjects.equal()) {
            out.add(largeObjects.difference());
        }
        sequences.stream().filter(s -> !s.equal()).forEach(s -> out.add(s.difference()));
        return out;
    }
}
