package com.taskmaster.backup.crypto;

import com.amazonaws.encryptionsdk.kmssdkv2.KmsMasterKeyProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;

import java.net.URI;
import java.nio.file.Path;
import java.util.function.Supplier;

/** Opens the wrapping key named by {@code BACKUP_KMS_KEY}: a KMS key (ARN, id, alias) or {@code file:///path}. */
public final class Keys {
    public static final String KMS_PROVIDER_ID = "aws-kms";

    private Keys() {
    }

    /** For writing backups: a missing local key file is created with a fresh random key. */
    public static Envelope open(String spec, Supplier<KmsClient> kms) {
        return open(spec, kms, true);
    }

    /** For reading backups (verify, restore): a missing local key file is an error, never a new key. */
    public static Envelope openExisting(String spec, Supplier<KmsClient> kms) {
        return open(spec, kms, false);
    }

    private static Envelope open(String spec, Supplier<KmsClient> kms, boolean createLocalKey) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("BACKUP_KMS_KEY is not set: expected a KMS key ARN or alias, or file:///path");
        }
        if (spec.startsWith("file:")) {
            URI uri = URI.create(spec);
            if (uri.getPath() == null || !uri.getPath().startsWith("/")) {
                throw new IllegalArgumentException("invalid BACKUP_KMS_KEY '" + spec + "': expected file:///absolute/path");
            }
            return LocalKeys.open(Path.of(uri.getPath()), createLocalKey);
        }
        return openKms(spec, kms.get());
    }

    /**
     * Resolves the key (an alias becomes its key ARN, which is what decryption will need) and checks it is
     * enabled, so a bad key fails before any data is read.
     */
    public static Envelope openKms(String keySpec, KmsClient kms) {
        KeyMetadata meta;
        try {
            meta = kms.describeKey(b -> b.keyId(keySpec)).keyMetadata();
        } catch (SdkException e) {
            throw new CryptoException("KMS key '" + keySpec + "' cannot be used: " + e.getMessage(), e);
        }
        if (meta.keyState() != KeyState.ENABLED) {
            throw new CryptoException("KMS key '" + meta.arn() + "' is " + meta.keyStateAsString() + ", not Enabled");
        }
        KmsMasterKeyProvider provider = KmsMasterKeyProvider.builder()
                .customRegionalClientSupplier(region -> kms)
                .buildStrict(meta.arn());
        return new Envelope(provider, KMS_PROVIDER_ID, meta.arn());
    }
}
