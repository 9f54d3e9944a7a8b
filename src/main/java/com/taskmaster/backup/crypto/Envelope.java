package com.taskmaster.backup.crypto;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import com.amazonaws.encryptionsdk.CryptoInputStream;
import com.amazonaws.encryptionsdk.MasterKey;
import com.amazonaws.encryptionsdk.MasterKeyProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Encrypts and decrypts streams as AWS Encryption SDK messages under one wrapping key
 * (see the package documentation for how keys flow).
 */
public final class Envelope {
    public static final CryptoAlgorithm ALGORITHM = CryptoAlgorithm.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    /** 64 KiB frames: decryption in a short-lived JVM is ~10x faster than with 1 MiB frames. */
    public static final int FRAME_SIZE = 64 * 1024;

    static {
        Providers.install();
    }

    private static final AwsCrypto CRYPTO = AwsCrypto.builder()
            .withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt)
            .withEncryptionAlgorithm(ALGORITHM)
            .withEncryptionFrameSize(FRAME_SIZE)
            .build();

    private final MasterKeyProvider<?> provider;
    private final String providerId;
    private final String keyId;

    Envelope(MasterKeyProvider<?> provider, String providerId, String keyId) {
        this.provider = Objects.requireNonNull(provider);
        this.providerId = providerId;
        this.keyId = keyId;
    }

    /** {@code aws-kms} or {@link LocalKeys#PROVIDER_ID}. */
    public String providerId() {
        return providerId;
    }

    /** The wrapping key: a KMS key ARN, or the local key's name (a fingerprint, never the key). */
    public String keyId() {
        return keyId;
    }

    /**
     * Whether this key can unwrap the data key of a backup whose manifest names {@code wrappingKeyId}: the same key,
     * or for KMS a related multi-Region key of another region (see {@link Keys#openKms}).
     */
    public boolean unwraps(String wrappingKeyId) {
        return keyId.equals(wrappingKeyId) || Keys.KMS_PROVIDER_ID.equals(providerId) && Keys.unwrapsKmsKey(keyId, wrappingKeyId);
    }

    /** Returns a stream that encrypts into {@code out}; closing it writes the final frame and closes {@code out}. */
    public OutputStream encrypt(OutputStream out, Map<String, String> context) {
        return encryptingStream(provider, out, context);
    }

    private static <K extends MasterKey<K>> OutputStream encryptingStream(MasterKeyProvider<K> p, OutputStream out,
                                                                          Map<String, String> context) {
        return CRYPTO.createEncryptingStream(p, out, context);
    }

    /**
     * Returns the plaintext of the message in {@code in}. The header is read and the data key unwrapped before
     * this returns; the encryption context must contain every entry of {@code expectedContext}.
     * Tampering shows up as an exception from the returned stream's read, at the latest at its end.
     */
    public InputStream decrypt(InputStream in, Map<String, String> expectedContext) {
        CryptoInputStream<?> stream = decryptingStream(provider, in);
        Map<String, String> actual;
        try {
            actual = stream.getCryptoResult().getEncryptionContext();
        } catch (IOException | RuntimeException e) {
            throw new CryptoException("cannot decrypt: " + withCollectedFailures(e), e);
        }
        for (Map.Entry<String, String> e : expectedContext.entrySet()) {
            if (!e.getValue().equals(actual.get(e.getKey()))) {
                closeQuietly(stream);
                throw new CryptoException("encryption context mismatch for '" + e.getKey() + "': expected '"
                        + e.getValue() + "', found '" + actual.get(e.getKey()) + "'");
            }
        }
        return stream;
    }

    private static <K extends MasterKey<K>> CryptoInputStream<K> decryptingStream(MasterKeyProvider<K> p, InputStream in) {
        // The unsigned-message stream refuses signed suites, so no plaintext is released before its signature is checked.
        return CRYPTO.createUnsignedMessageDecryptingStream(p, in);
    }

    /**
     * The SDK's message ("Unable to decrypt any data keys") and the failures it collected as suppressed exceptions,
     * e.g. KMS refusing Decrypt (AccessDenied, naming the key): what an operator needs, and no key material.
     */
    private static String withCollectedFailures(Throwable e) {
        List<String> reasons = new ArrayList<>();
        collectFailures(e, reasons);
        return reasons.isEmpty() ? e.getMessage() : e.getMessage() + " (" + String.join("; ", reasons) + ")";
    }

    private static void collectFailures(Throwable e, List<String> out) {
        for (Throwable s : e.getSuppressed()) {
            if (s.getSuppressed().length == 0) {
                out.add(s.getMessage());
            } else {
                collectFailures(s, out);
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // already failing
        }
    }
}
