package com.taskmaster.backup.pgarchive;

import java.util.List;
import java.util.Objects;

/**
 * A database's content in fingerprints: per table (in archive order) its rows and digest, its large objects
 * (count 0 when there are none), its sequences' values, and what fixes the text form. What goes into the
 * manifest (see docs/FINGERPRINTS.md for the JSON).
 */
public record Fingerprints(String algorithm, TextForm textForm, List<TableDigest> tables,
                           LargeObjectsDigest largeObjects, List<SequenceValue> sequences) {
    /** The construction of docs/FINGERPRINTS.md, version 1. */
    public static final String ALGORITHM = "hmac-sha256-sum256-v1";

    public Fingerprints {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(textForm, "textForm");
        Objects.requireNonNull(largeObjects, "largeObjects");
        tables = List.copyOf(tables);
        sequences = List.copyOf(sequences);
    }
}
