package com.taskmaster.backup.repository;

import java.time.Instant;
import java.util.Objects;

/**
 * A write begun with {@link Repository#create} that was neither committed nor aborted: a writer still
 * running, or one that crashed. S3: an open multipart upload ({@code handle} is its upload id, {@code since}
 * its initiation); files: a hidden {@code .tmp-*} file ({@code handle} is its path relative to the root,
 * {@code since} its last modification, which a running writer keeps moving forward).
 */
public record PendingWrite(ObjectKey key, String handle, Instant since) {
    public PendingWrite {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(since, "since");
    }
}
