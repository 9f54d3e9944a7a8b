package com.taskmaster.backup.pgarchive;

import java.io.IOException;

/** Receives bytes as slices of someone else's buffer, valid only during the call. */
@FunctionalInterface
public interface ByteSink {
    void accept(byte[] b, int off, int len) throws IOException;
}
