package com.taskmaster.backup.pgarchive;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The per-backup secret under which rows are hashed (HMAC-SHA-256 key, 32 bytes). Secret because the digests
 * sit in the manifest: without the key, a digest neither confirms a guess of a table's content nor can be
 * matched by crafted rows (see docs/FINGERPRINTS.md). Never printed.
 */
public final class FingerprintKey {
    public static final int LENGTH = 32;
    private final byte[] key;

    private FingerprintKey(byte[] key) {
        if (key.length != LENGTH) {
            throw new IllegalArgumentException("a fingerprint key has " + LENGTH + " bytes, not " + key.length);
        }
        this.key = key.clone();
    }

    public static FingerprintKey of(byte[] key) {
        return new FingerprintKey(key);
    }

    /** A fresh random key, one per backup. */
    public static FingerprintKey generate() {
        byte[] k = new byte[LENGTH];
        new SecureRandom().nextBytes(k);
        return new FingerprintKey(k);
    }

    public static FingerprintKey fromHex(String hex) {
        return new FingerprintKey(HexFormat.of().parseHex(hex.strip()));
    }

    /** A copy of the key bytes (for wrapping it with the backup's encryption). */
    public byte[] bytes() {
        return key.clone();
    }

    /** Key material for the hasher, not copied. */
    byte[] material() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FingerprintKey k && java.security.MessageDigest.isEqual(key, k.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "FingerprintKey[redacted]";
    }
}
