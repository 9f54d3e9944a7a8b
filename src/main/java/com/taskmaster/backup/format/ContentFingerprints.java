package com.taskmaster.backup.format;

import com.taskmaster.backup.crypto.CryptoException;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.pgarchive.FingerprintKey;
import com.taskmaster.backup.pgarchive.Fingerprints;
import com.taskmaster.backup.pgarchive.LargeObjectsDigest;
import com.taskmaster.backup.pgarchive.SequenceValue;
import com.taskmaster.backup.pgarchive.TableDigest;
import com.taskmaster.backup.pgarchive.TextForm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The manifest's {@code fingerprints} (docs/FINGERPRINTS.md, section 6): the content digests of
 * {@link com.taskmaster.backup.pgarchive} and the backup's fingerprint key, wrapped as a small Encryption SDK message
 * under the backup's own key with an encryption context naming the backup ({@link #keyContext}), so that the key of one
 * backup cannot be passed off as another's.
 *
 * @param key base64 of the Encryption SDK message holding the 32-byte key
 */
public record ContentFingerprints(String algorithm, String key, TextForm textForm, List<TableDigest> tables,
                                  LargeObjectsDigest largeObjects, List<SequenceValue> sequences) {
    public static final String KEY_PURPOSE = "taskmaster-backup-fingerprint-key";

    public ContentFingerprints {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(textForm, "textForm");
        Objects.requireNonNull(largeObjects, "largeObjects");
        tables = List.copyOf(Objects.requireNonNull(tables, "tables"));
        sequences = List.copyOf(Objects.requireNonNull(sequences, "sequences"));
    }

    /** The digests with {@code key} wrapped under {@code envelope} for backup {@code id} of database {@code database}. */
    public static ContentFingerprints of(Fingerprints fp, FingerprintKey key, Envelope envelope, BackupId id, String database) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        try (OutputStream out = envelope.encrypt(message, keyContext(id, database))) {
            out.write(key.bytes());
        } catch (IOException e) {
            throw new CryptoException("cannot wrap the fingerprint key of backup " + id + ": " + e.getMessage(), e);
        }
        return new ContentFingerprints(fp.algorithm(), Base64.getEncoder().encodeToString(message.toByteArray()),
                fp.textForm(), fp.tables(), fp.largeObjects(), fp.sequences());
    }

    /** Ids only (KMS logs the context in clear): what binds the key to its backup. */
    public static Map<String, String> keyContext(BackupId id, String database) {
        return Map.of("purpose", KEY_PURPOSE, "database", database, "backupId", id.value());
    }

    /** The digests alone, as the pgarchive package compares them. */
    public Fingerprints digests() {
        return new Fingerprints(algorithm, textForm, tables, largeObjects, sequences);
    }

    /**
     * Unwraps the fingerprint key of backup {@code m} (one KMS Decrypt with a KMS key); the message's encryption context
     * must name this backup and database.
     *
     * @throws CryptoException when the key cannot be unwrapped (wrong key, tampered message, another backup's key)
     */
    public FingerprintKey unwrapKey(Envelope envelope, Manifest m) {
        byte[] message;
        try {
            message = Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            throw new CryptoException("the fingerprint key of backup " + m.backupId() + " is not base64: " + e.getMessage(), e);
        }
        try (InputStream in = envelope.decrypt(new ByteArrayInputStream(message), keyContext(m.backupId(), m.database().name()))) {
            byte[] k = in.readNBytes(FingerprintKey.LENGTH + 1);
            if (k.length != FingerprintKey.LENGTH) {
                throw new CryptoException("the fingerprint key of backup " + m.backupId() + " has " + k.length + " bytes, not "
                        + FingerprintKey.LENGTH);
            }
            return FingerprintKey.of(k);
        } catch (IOException | RuntimeException e) {
            if (e instanceof CryptoException c && c.getMessage().startsWith("the fingerprint key")) {
                throw c;
            }
            throw new CryptoException("cannot unwrap the fingerprint key of backup " + m.backupId() + ": " + e.getMessage(), e);
        }
    }
}
