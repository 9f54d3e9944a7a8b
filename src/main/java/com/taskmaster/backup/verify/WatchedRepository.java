package com.taskmaster.backup.verify;

import com.taskmaster.backup.repository.ForwardingReadableRepository;
import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ReadableRepository;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A repository as verify reads a backup's data object through it: notes the first failure of the repository itself
 * (opening the object, other than its absence, or reading or closing the stream: an S3 error, a reset connection, a
 * timeout, a disk error), then passes it on unchanged. Whatever the layers above make of such a failure (the Encryption
 * SDK or zstd seeing a stream cut short), the object was not delivered whole, so nothing was learned about its
 * integrity: an infrastructure error, not a finding about the backup.
 */
final class WatchedRepository extends ForwardingReadableRepository {
    private volatile Throwable failure;

    WatchedRepository(ReadableRepository inner) {
        super(inner);
    }

    /** The first failure of the repository itself, or null. */
    Throwable failure() {
        return failure;
    }

    private void note(Throwable e) {
        if (failure == null) {
            failure = e;
        }
    }

    @Override
    public InputStream open(ObjectKey key) {
        try {
            return new Watched(super.open(key));
        } catch (NoSuchObjectException e) {
            throw e;
        } catch (RuntimeException e) {
            note(e);
            throw e;
        }
    }
    private final class Watched extends FilterInputStream {
        Watched(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException | RuntimeException e) {
                note(e);
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                note(e);
                throw e;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return in.skip(n);
            } catch (IOException | RuntimeException e) {
                note(e);
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } catch (IOException | RuntimeException e) {
                note(e);
                throw e;
            }
        }
    }
}
