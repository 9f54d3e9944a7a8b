package com.taskmaster.backup.format;

import com.github.luben.zstd.ZstdInputStream;
import com.taskmaster.backup.crypto.CryptoException;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ReadableRepository;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * Opens a backup as the plain pg_dump archive it holds, checking everything on the way: the stored bytes'
 * SHA-256 and size against the manifest, the encryption context, every frame's authentication tag, and
 * zstd's own checksum. Any mismatch surfaces as an {@link IOException} from {@code read} (at the latest at
 * end of stream), naming the backup.
 */
public final class BackupReader {
    private BackupReader() {
    }

    public static InputStream open(ReadableRepository repository, Manifest manifest, Envelope envelope) throws IOException {
        return open(repository, manifest, manifest.data(), envelope);
    }

    /**
     * Opens an object of the backup: its data object, or another one ({@code object}: its roles object), stored and
     * checked like it: the same key and encryption context checks, its own size and SHA-256 from the manifest.
     */
    public static InputStream open(ReadableRepository repository, Manifest manifest, Manifest.DataObject object, Envelope envelope)
            throws IOException {
        if (!envelope.unwraps(manifest.encryption().keyId())) {
            throw new CryptoException("backup " + manifest.backupId() + " was encrypted under key " + manifest.encryption().keyId()
                    + ", but the configured key is " + envelope.keyId() + " (neither that key nor a multi-Region replica of it)");
        }
        Map<String, String> expected = expectedContext(manifest);
        if (!expected.equals(manifest.encryption().encryptionContext())) {
            throw new CryptoException("backup " + manifest.backupId() + ": the manifest's encryption context "
                    + new java.util.TreeMap<>(manifest.encryption().encryptionContext()) + " is not this backup's "
                    + new java.util.TreeMap<>(expected) + " (a manifest pointing at another backup's data object?)");
        }
        String what = "backup " + manifest.backupId() + (object.equals(manifest.data()) ? "" : " object " + object.key());
        return openData(repository, what, object, expected, envelope);
    }

    /**
     * The read pipeline for any data object of the format family (a backup's, a configuration snapshot's): the stored
     * bytes' SHA-256 and size against {@code data}, the encryption context against {@code expectedContext} (built by the
     * caller from the object's id, never copied from its manifest), frames, zstd checksum. {@code what} names it in errors.
     */
    public static InputStream openData(ReadableRepository repository, String what, Manifest.DataObject data,
                                       Map<String, String> expectedContext, Envelope envelope) throws IOException {
        StreamDigest digest = new StreamDigest();
        InputStream stored = digest.reading(repository.open(ObjectKey.of(data.key())));
        try {
            InputStream plain = envelope.decrypt(stored, expectedContext);
            return new ZstdInputStream(new VerifyAtEnd(plain, stored, digest, what, data));
        } catch (RuntimeException e) {
            stored.close();
            throw new IOException(what + " cannot be decrypted: " + e.getMessage(), e);
        }
    }

    /**
     * What the message's authenticated context must hold: built from the backup's id, never taken from the manifest's
     * (unsigned) copy of the context. {@link Catalog} returns a manifest only when its {@code backupId} is the id its
     * key names ({@code manifests/<id>.json}), so this is the id being restored or verified; a manifest that points at
     * another backup's data object (and copies its {@code encryption} section) fails here. The manifest's own copy
     * must equal it too (FORMAT.md, section 7).
     */
    static Map<String, String> expectedContext(Manifest manifest) {
        return BackupWriter.encryptionContext(manifest.database(), manifest.backupId());
    }

    /** Passes the plaintext through; at its end, checks the stored object's size and digest against the manifest. */
    private static final class VerifyAtEnd extends FilterInputStream {
        private final InputStream stored;
        private final StreamDigest digest;
        private final String what;
        private final Manifest.DataObject data;
        private boolean verified;

        VerifyAtEnd(InputStream plain, InputStream stored, StreamDigest digest, String what, Manifest.DataObject data) {
            super(plain);
            this.stored = stored;
            this.digest = digest;
            this.what = what;
            this.data = data;
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
                throw new IOException(what + " failed authentication (corrupted, truncated"
                        + " or tampered with): " + e.getMessage(), e);
            }
            if (n < 0) {
                atEnd();
            }
            return n;
        }

        /** Reads what the decryptor left (trailing bytes would be tampering) and compares size and digest. */
        private void atEnd() throws IOException {
            if (!verified) {
                stored.transferTo(OutputStream.nullOutputStream());
                if (!digest.matches(data)) {
                    throw new IOException(what + ": stored object does not match its manifest ("
                            + digest.count() + " bytes, SHA-256 " + digest.sha256Hex() + "; manifest: " + data.storedBytes()
                            + " bytes, SHA-256 " + data.sha256() + ")");
                }
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
