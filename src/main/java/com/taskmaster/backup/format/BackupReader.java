package com.taskmaster.backup.format;

import com.github.luben.zstd.ZstdInputStream;
import com.taskmaster.backup.crypto.CryptoException;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repository;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Opens a backup as the plain pg_dump archive it holds, checking everything on the way: the stored bytes'
 * SHA-256 and size against the manifest, the encryption context, every frame's authentication tag, and
 * zstd's own checksum. Any mismatch surfaces as an {@link IOException} from {@code read} (at the latest at
 * end of stream), naming the backup.
 */
public final class BackupReader {
    private BackupReader() {
    }

    public static InputStream open(Repository repository, Manifest manifest, Envelope envelope) throws IOException {
        if (!envelope.unwraps(manifest.encryption().keyId())) {
            throw new CryptoException("backup " + manifest.backupId() + " was encrypted under key " + manifest.encryption().keyId()
                    + ", but the configured key is " + envelope.keyId() + " (neither that key nor a multi-Region replica of it)");
        }
        CheckedStream stored = new CheckedStream(repository.open(ObjectKey.of(manifest.data().key())), manifest);
        try {
            InputStream plain = envelope.decrypt(stored, manifest.encryption().encryptionContext());
            return new ZstdInputStream(new VerifyAtEnd(plain, stored));
        } catch (RuntimeException e) {
            stored.close();
            throw new IOException("backup " + manifest.backupId() + " cannot be decrypted: " + e.getMessage(), e);
        }
    }

    /** Counts and hashes the stored bytes as they are read. */
    private static final class CheckedStream extends FilterInputStream {
        private final Manifest manifest;
        private final MessageDigest sha256;
        private long count;

        CheckedStream(InputStream in, Manifest manifest) {
            super(in);
            this.manifest = manifest;
            try {
                this.sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                sha256.update((byte) b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                sha256.update(b, off, n);
                count += n;
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

        /** Reads what the decryptor left (trailing bytes would be tampering) and compares size and digest. */
        void verify() throws IOException {
            byte[] rest = new byte[8192];
            while (read(rest) > 0) {
                // hashing the remainder
            }
            String actual = HexFormat.of().formatHex(sha256.digest());
            if (count != manifest.data().storedBytes() || !actual.equals(manifest.data().sha256())) {
                throw new IOException("backup " + manifest.backupId() + ": stored object does not match its manifest ("
                        + count + " bytes, SHA-256 " + actual + "; manifest: " + manifest.data().storedBytes()
                        + " bytes, SHA-256 " + manifest.data().sha256() + ")");
            }
        }
    }

    /** Passes the plaintext through; at its end, checks the stored object's digest. */
    private static final class VerifyAtEnd extends FilterInputStream {
        private final CheckedStream stored;
        private boolean verified;

        VerifyAtEnd(InputStream plain, CheckedStream stored) {
            super(plain);
            this.stored = stored;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b < 0) {
                atEnd();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (RuntimeException e) { // the Encryption SDK reports bad ciphertext unchecked
                throw new IOException("backup " + stored.manifest.backupId() + " failed authentication (corrupted, truncated"
                        + " or tampered with): " + e.getMessage(), e);
            }
            if (n < 0) {
                atEnd();
            }
            return n;
        }

        private void atEnd() throws IOException {
            if (!verified) {
                stored.verify();
                verified = true;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } finally {
                stored.close();
            }
        }
    }
}
