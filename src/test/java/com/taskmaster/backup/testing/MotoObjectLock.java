package com.taskmaster.backup.testing;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRetentionRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRetentionResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.UUID;

/**
 * Object Lock in moto 5.2.1. moto supports CreateBucket with Object Lock, GetObjectLockConfiguration,
 * PutObjectRetention, PutObjectLegalHold, GetObjectLegalHold, and HeadObject's lock headers, but has no
 * GetObjectRetention: {@code GET ?retention} falls through to GetObject and answers the object's bytes (500 or
 * unparseable XML). {@link #withRetentionFromHead} is a TEST SHIM for that one call only: every other call goes to
 * moto unchanged, and GetObjectRetention is answered from HeadObject's {@code x-amz-object-lock-mode} and
 * {@code x-amz-object-lock-retain-until-date} (moto's own stored retention), or with S3's 404
 * {@code NoSuchObjectLockConfiguration} when the object has none. The real GetObjectRetention call and its error
 * mapping are tested against a stub client (S3RepositoryLockTest), not against moto.
 */
public final class MotoObjectLock {
    private MotoObjectLock() {
    }

    /** A bucket created with Object Lock enabled (versioning on, as S3 requires). */
    public static String lockedBucket(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
        MotoServer.get().s3().createBucket(b -> b.bucket(name).objectLockEnabledForBucket(true));
        return name;
    }

    public static S3Client withRetentionFromHead(S3Client moto) {
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getObjectRetention") && args != null && args.length == 1
                            && args[0] instanceof GetObjectRetentionRequest r) {
                        HeadObjectResponse h = moto.headObject(b -> b.bucket(r.bucket()).key(r.key()).versionId(r.versionId()));
                        if (h.objectLockRetainUntilDate() == null) {
                            throw S3Exception.builder().statusCode(404).message("The specified object does not have a ObjectLock configuration")
                                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("NoSuchObjectLockConfiguration")
                                            .errorMessage("The specified object does not have a ObjectLock configuration").build())
                                    .build();
                        }
                        return GetObjectRetentionResponse.builder().retention(ObjectLockRetention.builder()
                                .mode(h.objectLockModeAsString()).retainUntilDate(h.objectLockRetainUntilDate()).build()).build();
                    }
                    try {
                        return method.invoke(moto, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
