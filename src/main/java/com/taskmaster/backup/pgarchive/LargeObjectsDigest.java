package com.taskmaster.backup.pgarchive;

import java.util.Objects;

/** All large objects of the database: how many, and the digest of their (OID, contents) pairs. */
public record LargeObjectsDigest(long count, String digest) {
    public LargeObjectsDigest {
        Objects.requireNonNull(digest, "digest");
        if (count < 0) {
            throw new IllegalArgumentException("negative count");
        }
    }
}
