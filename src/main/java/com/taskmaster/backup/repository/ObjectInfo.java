package com.taskmaster.backup.repository;

import java.time.Instant;
import java.util.Objects;

/**
 * A committed object: key, size in bytes, last modification time, and the store's entity tag where it has one (S3's
 * ETag, which changes whenever the object is written again; {@code null} for files). Together they tell whether an
 * object is still the one seen before (the catalog index relies on it).
 */
public record ObjectInfo(ObjectKey key, long size, Instant lastModified, String etag) {
    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lastModified, "lastModified");
        if (size < 0) {
            throw new IllegalArgumentException("negative size");
        }
    }

    /** An object of a store without entity tags (files). */
    public ObjectInfo(ObjectKey key, long size, Instant lastModified) {
        this(key, size, lastModified, null);
    }
}
