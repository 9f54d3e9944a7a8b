package com.taskmaster.backup.format;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The size and SHA-256 of the stored bytes, counted as they stream past, in both directions: the last filter before
 * the repository when a backup is written ({@link #writing}), the first after it when one is read ({@link #reading}).
 * The manifest records both; reading compares them ({@link #matches}).
 */
public final class StreamDigest {
    private final MessageDigest sha256;
    private long count;
    private String hex;

    public StreamDigest() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SHA-256 (hex) and size of a whole stream, read to its end and closed. */
    public static StreamDigest of(InputStream in) throws IOException {
        StreamDigest digest = new StreamDigest();
        try (InputStream counted = digest.reading(in)) {
            counted.transferTo(OutputStream.nullOutputStream());
        }
        return digest;
    }

    /**
     * Counts and hashes what is written through it to {@code out}. Closing it does not close {@code out} (the
     * repository's stream, whose fate, commit or abort, the pipeline decides afterwards): it only flushes.
     */
    public OutputStream writing(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                update(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                update(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }

    /** Counts and hashes what is read through it from {@code in}; skipping reads (every byte is hashed). */
    public InputStream reading(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b >= 0) {
                    update(b);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    update(b, off, n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                return read(new byte[(int) Math.min(n, 8192)]);
            }

            @Override
            public boolean markSupported() {
                return false;
            }
        };
    }

    private void update(int b) {
        sha256.update((byte) b);
        count++;
    }

    private void update(byte[] b, int off, int len) {
        sha256.update(b, off, len);
        count += len;
    }

    /** Bytes counted so far. */
    public long count() {
        return count;
    }

    /** The SHA-256 of everything counted, lower-case hex; the count ends here (later bytes are not hashed). */
    public String sha256Hex() {
        if (hex == null) {
            hex = HexFormat.of().formatHex(sha256.digest());
        }
        return hex;
    }

    /** Whether what was counted is the data object the manifest describes (size and SHA-256). */
    public boolean matches(Manifest.DataObject data) {
        return count == data.storedBytes() && sha256Hex().equals(data.sha256());
    }
}
