package com.taskmaster.backup.repository;

import java.time.Instant;
import java.util.Objects;

/** A committed object: key, size in bytes, last modification time. */
public record ObjectInfo(ObjectKey key, long size, Instant lastModified) {
    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lastModified, "lastModified");
        if (size < 0) {
            throw new IllegalArgumentException("negative size");
        }
    }
}
