package com.taskmaster.backup.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.List;
import java.util.UUID;

/**
 * The primary region ({@link MotoServer#REGION}) and a secondary one in the one moto_server (it keeps S3 buckets and KMS
 * keys per region, picking the region a request is signed for), and S3 replication between them SIMULATED: moto does
 * not replicate, so {@link #replicate} copies objects (same keys, same bytes, as S3 replication copies them) into a
 * bucket of the secondary region.
 */
public final class TwoRegions {
    public static final Region PRIMARY = MotoServer.REGION;
    public static final Region SECONDARY = Region.EU_WEST_1;

    private TwoRegions() {
    }

    /** An S3 client of {@code region}, its requests shown to {@code observers}. */
    public static S3Client s3(Region region, ExecutionInterceptor... observers) {
        return S3Client.builder().endpointOverride(MotoServer.get().endpoint()).region(region).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(MotoServer.ACCESS_KEY, MotoServer.SECRET_KEY)))
                .overrideConfiguration(c -> List.of(observers).forEach(c::addExecutionInterceptor))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** What S3 replication copies of a backup: every object its manifest commits (data, roles), and the manifest. */
    public static List<String> replicatedKeys(com.taskmaster.backup.format.Manifest m) {
        List<String> keys = new java.util.ArrayList<>(m.committedObjects().stream().map(c -> c.object().key()).toList());
        keys.add(com.taskmaster.backup.format.Layout.manifest(m.backupId()).value());
        return List.copyOf(keys);
    }

    /** A new bucket in the secondary region holding copies of {@code keys} of bucket {@code from}: what replication would hold. */
    public static String replicate(String from, List<String> keys) {
        String bucket = "replica-" + UUID.randomUUID().toString().substring(0, 12);
        S3Client s3 = s3(SECONDARY);
        s3.createBucket(b -> b.bucket(bucket).createBucketConfiguration(c -> c.locationConstraint(SECONDARY.id())));
        for (String key : keys) {
            s3.copyObject(b -> b.sourceBucket(from).sourceKey(key).destinationBucket(bucket).destinationKey(key));
        }
        return bucket;
    }
}
