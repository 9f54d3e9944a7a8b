package com.taskmaster.backup.repository;

import java.io.OutputStream;

/**
 * A streamed write in progress. Write to {@link #stream()}, then either {@link #commit()} (the object
 * appears, whole) or {@link #abort()} (every trace removed). {@link #close()} aborts unless committed,
 * so a try-with-resources block never leaves a half-written object.
 */
public interface ObjectWriter extends AutoCloseable {

    OutputStream stream();

    /** Makes the object visible; throws {@link ObjectExistsException} if one appeared meanwhile (the write is then aborted). */
    void commit() throws ObjectExistsException;

    /** Discards everything written; safe to call more than once and after a failure. */
    void abort();

    @Override
    default void close() {
        abort();
    }
}
