package com.taskmaster.backup.verify;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.pgarchive.FingerprintComparison;
import com.taskmaster.backup.pgarchive.FingerprintSink;
import com.taskmaster.backup.pgarchive.Fingerprints;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Recomputes a backup's content fingerprints from its stored archive while verify reads it (a tee on the plain
 * stream into a {@link FingerprintSink}), and compares them with the manifest's. A manifest written before content
 * fingerprints has none: then nothing is recomputed (its row counts are still compared, by {@link ArchiveCheck}).
 */
final class ContentCheck implements AutoCloseable {
    private final Fingerprints expected;
    private final FingerprintSink sink;
    private IOException teeFailure;

    private ContentCheck(Fingerprints expected, FingerprintSink sink) {
        this.expected = expected;
        this.sink = sink;
    }

    /** Unwraps the manifest's fingerprint key (a CryptoException when it cannot be) and starts the fingerprinting thread. */
    static ContentCheck start(Manifest m, Envelope envelope) {
        if (m.fingerprints() == null) {
            return new ContentCheck(null, null);
        }
        Fingerprints expected = m.fingerprints().digests();
        return new ContentCheck(expected, FingerprintSink.start(m.fingerprints().unwrapKey(envelope, m),
                expected.textForm().session(), "verify-fingerprint-" + m.backupId().value()));
    }

    /** {@code plain}, with every byte read also fingerprinted; a fingerprinting failure never disturbs the reader. */
    InputStream tee(InputStream plain) {
        if (sink == null) {
            return plain;
        }
        return new FilterInputStream(plain) {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0 && teeFailure == null) {
                    try {
                        sink.write(b, off, n);
                    } catch (IOException e) {
                        teeFailure = e;
                    }
                }
                return n;
            }
        };
    }

    /**
     * Once the archive has been read to its end: one line per difference between the manifest's fingerprints and the
     * archive's (each table named, count or content), or why they could not be recomputed; empty when equal or when the
     * manifest has none.
     */
    List<String> differences() {
        if (sink == null) {
            return List.of();
        }
        Fingerprints recomputed;
        try {
            if (teeFailure != null) {
                throw teeFailure;
            }
            sink.close();
            recomputed = sink.result().fingerprints();
        } catch (IOException e) {
            return List.of("the archive's content fingerprints cannot be recomputed: " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        FingerprintComparison.compare(expected, recomputed).differences()
                .forEach(d -> out.add("content fingerprint differs (manifest vs archive): " + d));
        return out;
    }

    @Override
    public void close() {
        if (sink != null) {
            sink.abort();
        }
    }
}
