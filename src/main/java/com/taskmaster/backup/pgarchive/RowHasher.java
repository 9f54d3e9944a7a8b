package com.taskmaster.backup.pgarchive;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;

/**
 * HMAC-SHA-256 (RFC 2104) of one element, fed in pieces: {@code begin(domain)}, {@code update(...)}*,
 * {@code finish()}. The result equals Python's {@code hmac.new(key, domain + bytes, "sha256").digest()}.
 *
 * <p>Written out over two SHA-256 instances instead of {@code javax.crypto.Mac} because it runs once per row:
 * the JDK's Mac costs about twice as much per short message (measured in bench/fingerprint). SHA-256 comes
 * from the JDK's own provider on purpose: it uses the CPU's SHA instructions through a JIT intrinsic, while a
 * native provider (ACCP, installed by the backup for AES-GCM) pays a JNI call per row, slower for short rows.
 */
final class RowHasher {
    /** Domain prefixes: a row's HMAC can never be taken for a large object's (rows contain no NUL byte). */
    static final byte[] ROW = "row\0".getBytes(StandardCharsets.US_ASCII);
    static final int BLOCK = 64;

    private final byte[] ipad = new byte[BLOCK];
    private final byte[] opad = new byte[BLOCK];
    private final MessageDigest inner = sha256();
    private final MessageDigest outer = sha256();
    private final byte[] innerOut = new byte[32];
    private final byte[] out = new byte[32];

    RowHasher(FingerprintKey key) {
        byte[] k = key.material();                 // 32 bytes: shorter than a block, so used as is, zero-padded
        for (int i = 0; i < BLOCK; i++) {
            byte b = i < k.length ? k[i] : 0;
            ipad[i] = (byte) (b ^ 0x36);
            opad[i] = (byte) (b ^ 0x5c);
        }
    }

    /** Large object domain: {@code "lo\0" <oid in decimal> "\0"}, then the contents. */
    static byte[] largeObjectPrefix(long oid) {
        return ("lo\0" + oid + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    void begin(byte[] domain) {
        inner.reset();
        inner.update(ipad);
        inner.update(domain);
    }

    void update(byte[] b, int off, int len) {
        inner.update(b, off, len);
    }

    /** The HMAC of what was fed since {@link #begin}; the array is reused by the next call. */
    byte[] finish() {
        try {
            inner.digest(innerOut, 0, 32);
            outer.reset();
            outer.update(opad);
            outer.update(innerOut);
            outer.digest(out, 0, 32);
            return out;
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256", "SUN");
        } catch (NoSuchProviderException | NoSuchAlgorithmException noJdkProvider) {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("no SHA-256", e);
            }
        }
    }
}
