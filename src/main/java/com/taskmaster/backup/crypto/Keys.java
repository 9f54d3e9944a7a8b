package com.taskmaster.backup.crypto;

import com.amazonaws.encryptionsdk.internal.AwsKmsCmkArnInfo;
import com.amazonaws.encryptionsdk.kmssdkv2.AwsKmsMrkAwareMasterKeyProvider;
import com.amazonaws.encryptionsdk.kmssdkv2.RegionalClientSupplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
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
     *
     * <p>The provider is the Encryption SDK's multi-Region-aware one, in strict mode, for writing and reading (the SDK
     * recommends it for both; for a single-Region key it behaves exactly like the plain strict provider: only the key
     * itself unwraps its data keys). With a multi-Region key ({@code mrk-...}) it also unwraps data keys wrapped under a
     * related key of another region, calling KMS Decrypt with the configured key in the configured key's region: the
     * secondary region, with {@code BACKUP_KMS_KEY} = the replica's ARN, decrypts backups written in the primary region
     * without calling it. The key must be in the KMS client's region.
     */
    public static Envelope openKms(String keySpec, KmsClient kms) {
        Region region = kms.serviceClientConfiguration().region();
        AwsKmsCmkArnInfo named = arn(keySpec);
        if (named != null && !named.getRegion().equals(region.id())) {
            throw new CryptoException("KMS key '" + keySpec + "' is in region " + named.getRegion() + ", but KMS is called in "
                    + region.id() + ": name a key of " + region.id() + " (for a multi-Region key, its replica there)");
        }
        KeyMetadata meta;
        try {
            meta = kms.describeKey(b -> b.keyId(keySpec)).keyMetadata();
        } catch (SdkException e) {
            throw new CryptoException("KMS key '" + keySpec + "' cannot be used: " + e.getMessage(), e);
        }
        if (meta.keyState() != KeyState.ENABLED) {
            throw new CryptoException("KMS key '" + meta.arn() + "' is " + meta.keyStateAsString() + ", not Enabled");
        }
        AwsKmsMrkAwareMasterKeyProvider provider = AwsKmsMrkAwareMasterKeyProvider.builder()
                .defaultRegion(region)
                .customRegionalClientSupplier(clientIn(region, kms))
                .buildStrict(meta.arn());
        return new Envelope(provider, KMS_PROVIDER_ID, meta.arn());
    }

    /**
     * The SDK asks for a KMS client by region. In strict mode it asks only for the configured key's region (also when
     * the message names a related multi-Region key elsewhere: it then decrypts with the configured key, in the
     * configured key's region), and openKms has checked that this is our client's region. A client for any other
     * region is refused rather than handing over ours: that one would send the request, signed for our region, to our
     * region's KMS, naming a key of another region. Nor is a client built for it: a cross-Region call (to a primary
     * region that may be down) is what the multi-Region key is there to avoid.
     */
    static RegionalClientSupplier clientIn(Region region, KmsClient kms) {
        return requested -> {
            if (!region.equals(requested)) {
                throw new CryptoException("KMS in region " + requested + " was asked for, but only " + region
                        + " (this function's region) is called");
            }
            return kms;
        };
    }

    /**
     * Whether data keys wrapped under {@code wrappingKeyArn} (as a manifest records it) can be unwrapped with
     * {@code configuredArn}: the same key, or a related multi-Region key (same partition, account and {@code mrk-} key
     * id; only the region differs). This is the Encryption SDK's own match rule, the one its strict provider applies.
     */
    static boolean unwrapsKmsKey(String configuredArn, String wrappingKeyArn) {
        try {
            return AwsKmsCmkArnInfo.awsKmsArnMatchForDecrypt(configuredArn, wrappingKeyArn);
        } catch (RuntimeException e) { // the SDK's parser throws on some malformed ARNs
            return false;
        }
    }

    /** The parts of a KMS key or alias ARN; null for anything else (a key id, an alias name, a malformed ARN). */
    private static AwsKmsCmkArnInfo arn(String keySpec) {
        try {
            return AwsKmsCmkArnInfo.parseInfoFromKeyArn(keySpec);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
