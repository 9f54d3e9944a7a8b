package com.taskmaster.backup.repository;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectLegalHoldRequest;
import software.amazon.awssdk.services.s3.model.GetObjectLockConfigurationRequest;
import software.amazon.awssdk.services.s3.model.GetObjectLockConfigurationResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRetentionRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A repository in an S3 bucket under a prefix ({@code s3://bucket/prefix}). Large objects are written
 * by {@link S3MultipartWriter}; every write is conditional ({@code If-None-Match: *}) so nothing is
 * ever overwritten, even by a concurrent writer.
 */
public final class S3Repository implements Repository {
    private final S3Client s3;
    private final String bucket;
    private final String prefix; // "" or ends with '/'
    private final long partSizeHint;

    /**
     * @param partSizeHint expected size of the largest object in bytes (e.g. the database size), used to size
     *                     multipart parts so that 10,000 parts suffice; 0 when unknown
     */
    public S3Repository(S3Client s3, String bucket, String prefix, long partSizeHint) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix.isEmpty() ? "" : ObjectKey.checkPrefix(prefix.endsWith("/") ? prefix : prefix + "/");
        this.partSizeHint = partSizeHint;
    }

    public S3Repository withPartSizeHint(long expectedObjectBytes) {
        return new S3Repository(s3, bucket, prefix, expectedObjectBytes);
    }

    @Override
    public S3Repository withSizeHint(long expectedObjectBytes) {
        return withPartSizeHint(expectedObjectBytes);
    }

    public String bucket() {
        return bucket;
    }

    String fullKey(ObjectKey key) {
        return prefix + key.value();
    }

    @Override
    public String uri() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix.substring(0, prefix.length() - 1));
    }

    @Override
    public String uriOf(ObjectKey key) {
        return "s3://" + bucket + "/" + fullKey(key);
    }

    @Override
    public ObjectWriter create(ObjectKey key) {
        return new S3MultipartWriter(s3, bucket, fullKey(key), uriOf(key), PartSizes.forExpectedBytes(partSizeHint));
    }

    @Override
    public void putIfAbsent(ObjectKey key, byte[] content) {
        try {
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(fullKey(key)).ifNoneMatch("*").build(),
                    RequestBody.fromBytes(content));
        } catch (S3Exception e) {
            if (isConditionFailure(e)) {
                throw new ObjectExistsException("refusing to overwrite existing object " + uriOf(key));
            }
            throw failure("write", "s3:PutObject", key, e);
        } catch (SdkException e) {
            throw failure("write", "s3:PutObject", key, e);
        }
    }

    @Override
    public void replace(ObjectKey key, byte[] content) {
        try {
            // pages are served as pages (a browser opening a presigned link shows them rather than downloading them)
            String type = key.value().endsWith(".html") ? "text/html; charset=utf-8" : null;
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(fullKey(key)).contentType(type).build(), RequestBody.fromBytes(content));
        } catch (SdkException e) {
            throw failure("write", key, e);
        }
    }

    static boolean isConditionFailure(S3Exception e) {
        // 412: the object exists; 409: a concurrent conditional write to the same key is in progress.
        return e.statusCode() == 412 || e.statusCode() == 409;
    }

    /**
     * A missing key answers GetObject with 404 only to a principal allowed s3:ListBucket for it; our roles hold
     * ListBucket only under an {@code s3:prefix} condition, which a GetObject does not carry, so on AWS they get 403
     * for a missing key. A 403 is therefore settled by listing: absent is {@link NoSuchObjectException}, present (so
     * really refused) a {@link RepositoryException} naming the refused operation.
     */
    @Override
    public InputStream open(ObjectKey key) {
        try {
            return s3.getObject(GetObjectRequest.builder().bucket(bucket).key(fullKey(key)).build());
        } catch (NoSuchKeyException e) {
            throw new NoSuchObjectException("no object " + uriOf(key));
        } catch (S3Exception e) {
            if (e.statusCode() == 403) {
                Optional<ObjectInfo> exists;
                try {
                    exists = stat(key);
                } catch (RepositoryException listing) {
                    throw failure("read", "s3:GetObject", key, e);
                }
                if (exists.isEmpty()) {
                    throw new NoSuchObjectException("no object " + uriOf(key));
                }
            }
            throw failure("read", "s3:GetObject", key, e);
        } catch (SdkException e) {
            throw failure("read", "s3:GetObject", key, e);
        }
    }

    /**
     * By listing (s3:ListBucket with the key as prefix), never HeadObject: HeadObject of a missing key answers 403,
     * not 404, to a principal whose ListBucket is limited by an {@code s3:prefix} condition (see {@link #open}), and a
     * 403 must never read as "absent". The first key listed under a prefix equal to the key is the key itself, if it
     * exists (every other key under it is longer).
     */
    @Override
    public Optional<ObjectInfo> stat(ObjectKey key) {
        return listed(key, "look up").map(o -> new ObjectInfo(key, o.size(), o.lastModified(), o.eTag()));
    }

    @Override
    public ObjectListing scan(String keyPrefix) {
        ObjectKey.checkPrefix(keyPrefix);
        List<ObjectInfo> out = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(ListObjectsV2Request.builder()
                    .bucket(bucket).prefix(prefix + keyPrefix).build()).contents()) {
                String rel = o.key().substring(prefix.length());
                if (rel.endsWith("/") && o.size() == 0) {
                    continue; // a "folder" the S3 console made: no object
                }
                try {
                    out.add(new ObjectInfo(ObjectKey.of(rel), o.size(), o.lastModified(), o.eTag()));
                } catch (IllegalArgumentException notOurs) {
                    foreign.add(ObjectListing.printable(rel)); // not written by us: reported, never touched
                }
            }
        } catch (SdkException e) {
            throw new RepositoryException("cannot list " + uri() + "/" + keyPrefix + ": " + denied(e, "s3:ListBucket")
                    + e.getMessage(), e);
        }
        out.sort(java.util.Comparator.comparing(ObjectInfo::key));
        foreign.sort(java.util.Comparator.naturalOrder());
        return new ObjectListing(out, foreign);
    }

    @Override
    public boolean delete(ObjectKey key) {
        String full = fullKey(key);
        try {
            // No version id: in a versioned bucket this adds a delete marker; the bucket's lifecycle expires the
            // noncurrent version later. Conditional on the ETag just read, so that of two concurrent deletes only one
            // succeeds (the other gets 404, or 412 once a delete marker is current) and only one counts it.
            Optional<String> etag = etagOf(key);
            if (etag.isEmpty()) {
                return false;
            }
            s3.deleteObject(DeleteObjectRequest.builder().bucket(bucket).key(full).ifMatch(etag.get()).build());
            return true;
        } catch (NoSuchKeyException e) {
            return false; // deleted meanwhile by someone else
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            if ((e.statusCode() == 412 || e.statusCode() == 409) && etagOf(key).isEmpty()) {
                return false; // deleted meanwhile (a delete marker is current now)
            }
            throw failure("delete", "s3:DeleteObject", key, e);
        } catch (SdkException e) {
            throw failure("delete", "s3:DeleteObject", key, e);
        }
    }

    /** By listing, like {@link #stat}: a HeadObject of a key deleted meanwhile may answer 403 rather than 404. */
    private Optional<String> etagOf(ObjectKey key) {
        return listed(key, "read the ETag of").map(software.amazon.awssdk.services.s3.model.S3Object::eTag);
    }

    /** The object {@code key} as a listing with it as prefix shows it (the first key listed, if it is the key itself). */
    private Optional<software.amazon.awssdk.services.s3.model.S3Object> listed(ObjectKey key, String what) {
        String full = fullKey(key);
        try {
            return s3.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).prefix(full).maxKeys(1).build())
                    .contents().stream().filter(o -> o.key().equals(full)).findFirst();
        } catch (SdkException e) {
            throw failure(what, "s3:ListBucket", key, e);
        }
    }

    /** How long "this bucket has no Object Lock" is believed (a warm Lambda must notice Object Lock turned on). */
    static final long LOCK_CONFIG_TTL_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
    /** Nano time until which the bucket is known to have no Object Lock (when {@code noObjectLockKnown}). */
    private volatile long noObjectLockUntil;
    private volatile boolean noObjectLockKnown;
    private volatile boolean objectLockOn;

    /**
     * GetObjectLockConfiguration once (a bucket with Object Lock keeps it forever; one without is asked again after
     * five minutes at most, so a warm Lambda notices Object Lock turned on), so that ordinary buckets cost no call per
     * object; in a bucket with Object Lock, GetObjectLegalHold then
     * GetObjectRetention (a hold makes the retention irrelevant). Needs s3:GetBucketObjectLockConfiguration on the
     * bucket and s3:GetObjectLegalHold, s3:GetObjectRetention on the objects: without them this fails (AccessDenied),
     * it never guesses "unlocked".
     */
    @Override
    public LockState lockState(ObjectKey key) {
        if (!bucketHasObjectLock()) {
            return LockState.NONE;
        }
        String full = fullKey(key);
        boolean hold;
        try {
            var legalHold = s3.getObjectLegalHold(GetObjectLegalHoldRequest.builder().bucket(bucket).key(full).build()).legalHold();
            hold = legalHold != null && legalHold.status() == ObjectLockLegalHoldStatus.ON;
        } catch (S3Exception e) {
            Absent why = absent(e);
            if (why == Absent.NO_LOCK_ON_BUCKET || why == Absent.OBJECT_GONE) {
                return LockState.NONE;
            }
            if (why != Absent.NO_LOCK_ON_OBJECT) {
                throw failure("read the legal hold of", key, e);
            }
            hold = false;
        } catch (SdkException e) {
            throw failure("read the legal hold of", key, e);
        }
        if (hold) {
            return new LockState(null, null, true);
        }
        try {
            ObjectLockRetention r = s3.getObjectRetention(GetObjectRetentionRequest.builder().bucket(bucket).key(full).build())
                    .retention();
            if (r == null || r.retainUntilDate() == null) {
                return LockState.NONE;
            }
            return new LockState(r.retainUntilDate(), r.modeAsString(), false);
        } catch (S3Exception e) {
            Absent why = absent(e);
            if (why == null) {
                throw failure("read the Object Lock retention of", key, e);
            }
            return LockState.NONE;
        } catch (SdkException e) {
            throw failure("read the Object Lock retention of", key, e);
        }
    }

    private enum Absent { NO_LOCK_ON_BUCKET, NO_LOCK_ON_OBJECT, OBJECT_GONE }

    /** Which "nothing to report" answer an error is, or null when it is a real failure. */
    private Absent absent(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        if ("NoSuchObjectLockConfiguration".equals(code)) {
            return Absent.NO_LOCK_ON_OBJECT; // this object has no retention (or no legal hold)
        }
        if ("NoSuchKey".equals(code) || e.statusCode() == 405) {
            return Absent.OBJECT_GONE; // deleted meanwhile (405: the current version is a delete marker)
        }
        if ("ObjectLockConfigurationNotFoundError".equals(code)
                || "InvalidRequest".equals(code) && String.valueOf(e.getMessage()).contains("Object Lock")) {
            rememberNoObjectLock(); // "Bucket is missing Object Lock Configuration"
            return Absent.NO_LOCK_ON_BUCKET;
        }
        return null;
    }

    private void rememberNoObjectLock() {
        noObjectLockUntil = System.nanoTime() + LOCK_CONFIG_TTL_NANOS;
        noObjectLockKnown = true;
    }

    private boolean bucketHasObjectLock() {
        if (objectLockOn) {
            return true;
        }
        if (noObjectLockKnown && System.nanoTime() - noObjectLockUntil < 0) {
            return false;
        }
        try {
            GetObjectLockConfigurationResponse c = s3.getObjectLockConfiguration(
                    GetObjectLockConfigurationRequest.builder().bucket(bucket).build());
            boolean enabled = c.objectLockConfiguration() != null
                    && c.objectLockConfiguration().objectLockEnabled() == ObjectLockEnabled.ENABLED;
            if (enabled) {
                objectLockOn = true; // Object Lock, once enabled on a bucket, cannot be disabled
            } else {
                rememberNoObjectLock();
            }
            return enabled;
        } catch (S3Exception e) {
            if (absent(e) == Absent.NO_LOCK_ON_BUCKET) {
                return false;
            }
            throw new RepositoryException("cannot read the Object Lock configuration of bucket " + bucket + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new RepositoryException("cannot read the Object Lock configuration of bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<PendingWrite> pendingWrites() {
        List<PendingWrite> out = new ArrayList<>();
        try {
            for (MultipartUpload u : s3.listMultipartUploadsPaginator(ListMultipartUploadsRequest.builder()
                    .bucket(bucket).prefix(prefix).build()).uploads()) {
                if (!u.key().startsWith(prefix)) {
                    continue;
                }
                ObjectKey key;
                try {
                    key = ObjectKey.of(u.key().substring(prefix.length()));
                } catch (IllegalArgumentException foreign) {
                    continue; // not started by us: never touched
                }
                out.add(new PendingWrite(key, u.uploadId(), u.initiated()));
            }
        } catch (SdkException e) {
            throw new RepositoryException("cannot list open multipart uploads of " + uri() + ": " + e.getMessage(), e);
        }
        out.sort(java.util.Comparator.comparing(PendingWrite::key).thenComparing(PendingWrite::handle));
        return out;
    }

    @Override
    public void discard(PendingWrite write) {
        try {
            s3.abortMultipartUpload(AbortMultipartUploadRequest.builder()
                    .bucket(bucket).key(fullKey(write.key())).uploadId(write.handle()).build());
        } catch (NoSuchUploadException e) {
            // completed or aborted meanwhile
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw failure("abort upload " + write.handle() + " of", write.key(), e);
            }
        } catch (SdkException e) {
            throw failure("abort upload " + write.handle() + " of", write.key(), e);
        }
    }

    private RepositoryException failure(String what, ObjectKey key, SdkException e) {
        return new RepositoryException("cannot " + what + " " + uriOf(key) + ": " + e.getMessage(), e);
    }

    /** As above; when S3 refused the call (403), the message says which permission was missing. */
    private RepositoryException failure(String what, String action, ObjectKey key, SdkException e) {
        return new RepositoryException("cannot " + what + " " + uriOf(key) + ": " + denied(e, action) + e.getMessage(), e);
    }

    /** "access denied to {@code action} (...): " when S3 refused the call (403), else "". */
    static String denied(SdkException e, String action) {
        return e instanceof S3Exception s && s.statusCode() == 403
                ? "access denied to " + action + " (the function's role does not allow it): " : "";
    }
}
