package com.taskmaster.backup.repository;

import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Links people can open to one object of a repository: for {@code s3://bucket/key} a presigned GET URL (served as
 * HTML inline, so that a browser shows the page), for {@code file:///path} the path itself. A presigned URL works
 * only as long as the credentials that signed it: at most 7 days (SigV4's limit), and with a Lambda role's
 * temporary credentials only until they expire (hours), whatever the validity asked for.
 */
public final class ObjectLinks {
    /** SigV4's limit on a presigned URL's validity. */
    public static final Duration MAX_VALIDITY = Duration.ofDays(7);

    private ObjectLinks() {
    }

    /**
     * @param objectUri  what {@link ReadableRepository#uriOf} gives: {@code s3://bucket/key} or {@code file:///path}
     * @param validFor   how long the link works (at most {@link #MAX_VALIDITY})
     * @param presigner  made only for an S3 object
     */
    public static String of(String objectUri, Duration validFor, String contentType, Supplier<S3Presigner> presigner) {
        if (validFor.isNegative() || validFor.isZero() || validFor.compareTo(MAX_VALIDITY) > 0) {
            throw new IllegalArgumentException("a link is valid for more than 0 and at most 7 days (SigV4's limit), not " + validFor);
        }
        if (objectUri.startsWith("file://")) {
            return objectUri.substring("file://".length());
        }
        if (!objectUri.startsWith("s3://") || objectUri.indexOf('/', 5) < 0) {
            throw new IllegalArgumentException("not an object URI: " + objectUri);
        }
        String bucket = objectUri.substring(5, objectUri.indexOf('/', 5));
        String key = objectUri.substring(objectUri.indexOf('/', 5) + 1);
        return presigner.get().presignGetObject(b -> b.signatureDuration(validFor)
                .getObjectRequest(g -> g.bucket(bucket).key(key).responseContentType(contentType))).url().toString();
    }
}
