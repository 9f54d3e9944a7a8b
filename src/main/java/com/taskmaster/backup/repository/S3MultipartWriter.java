package com.taskmaster.backup.repository;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Streams an object of unknown length into S3 as a multipart upload: parts are sent while the data is
 * still being produced, one part uploading on a background thread while the next one fills, so memory
 * stays at about two parts. The upload is completed with {@code If-None-Match: *} (never overwrite) and
 * aborted on any failure, so no open upload or partial object is left behind.
 *
 * <p>Aborting waits (at most {@link #ABORT_WAIT}) for the part being sent: S3 says parts in flight when
 * AbortMultipartUpload arrives "might or might not succeed", and a part stored after the abort belongs to an upload
 * no longer listed, so neither prune nor the lifecycle rule would ever remove it (the HTTP client ignores
 * interrupts, so interrupting the uploader does not stop it). A part still in flight after the wait leaves the
 * upload open, and listed, for prune and the bucket's lifecycle rule.
 *
 * <p>Why not the SDK's multipart client: it uses one fixed part size (which would have to be ~110 MiB
 * to reach 1 TiB, i.e. ~220 MiB of buffers for every backup) and does not expose the conditional
 * completion; this class is the small remainder of that work.
 */
final class S3MultipartWriter implements ObjectWriter {
    /**
     * How long {@link #abort} waits for the part in flight: parts are 8 MiB to a few hundred MiB (more only past part
     * 3,000), seconds at Lambda's bandwidth; and well inside {@code Deadline.Margin.WORK} (30 s), so a backup stopped near
     * the deadline still alerts. A slower part leaves the upload open (listed), never aborted under it.
     */
    static final Duration ABORT_WAIT = Duration.ofSeconds(20);
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final String uri;
    private final PartSizes sizes;
    private final ExecutorService uploader;
    private final Duration abortWait;
    private final List<CompletedPart> parts = new ArrayList<>();
    private final PartStream stream = new PartStream();
    private String uploadId;
    private Future<CompletedPart> inFlight;
    private byte[] inFlightBuffer;
    private byte[] spare; // a buffer whose part has been sent, reused for the next part
    private boolean finished;

    S3MultipartWriter(S3Client s3, String bucket, String key, String uri, PartSizes sizes) {
        this(s3, bucket, key, uri, sizes, ABORT_WAIT);
    }

    S3MultipartWriter(S3Client s3, String bucket, String key, String uri, PartSizes sizes, Duration abortWait) {
        this.s3 = s3;
        this.abortWait = abortWait;
        this.bucket = bucket;
        this.key = key;
        this.uri = uri;
        this.sizes = sizes;
        this.uploader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "s3-part-upload");
            t.setDaemon(true);
            return t;
        });
        try {
            uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder()
                    .bucket(bucket).key(key).build()).uploadId();
        } catch (SdkException e) {
            uploader.shutdownNow();
            throw new RepositoryException("cannot start upload of " + uri + ": " + S3Repository.denied(e, "s3:PutObject")
                    + e.getMessage(), e);
        }
    }

    @Override
    public OutputStream stream() {
        return stream;
    }

    @Override
    public void commit() {
        if (finished) {
            throw new IllegalStateException("upload of " + uri + " already finished");
        }
        try {
            stream.sendCurrent(true);
            awaitInFlight();
            s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder()
                    .bucket(bucket).key(key).uploadId(uploadId).ifNoneMatch("*")
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())
                    .build());
            finished = true;
            uploader.shutdown();
        } catch (S3Exception e) {
            throw abortAfter(S3Repository.isConditionFailure(e)
                    ? new ObjectExistsException("refusing to overwrite existing object " + uri)
                    : new RepositoryException("cannot complete upload of " + uri + ": "
                            + S3Repository.denied(e, "s3:PutObject") + e.getMessage(), e));
        } catch (IOException | SdkException e) {
            throw abortAfter(new RepositoryException("cannot complete upload of " + uri + ": " + e.getMessage(), e));
        }
    }

    /** Aborts after {@code failure}, which stays the error thrown: a failing abort is attached to it, suppressed. */
    private RuntimeException abortAfter(RuntimeException failure) {
        try {
            abort();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }

    @Override
    public void abort() {
        if (finished) {
            return;
        }
        finished = true;
        uploader.shutdown(); // no interrupt: the part in flight is let finish (or fail) before the abort
        if (!awaitUploader()) {
            uploader.shutdownNow();
            throw new RepositoryException("upload " + uploadId + " of " + uri + " left open: a part was still being sent after "
                    + abortWait.toMillis() + " ms, and aborting under it could leave that part stored but unlisted "
                    + "(prune and the bucket's lifecycle rule remove the open upload after a day)");
        }
        try {
            s3.abortMultipartUpload(AbortMultipartUploadRequest.builder()
                    .bucket(bucket).key(key).uploadId(uploadId).build());
        } catch (SdkException e) {
            throw new RepositoryException("cannot abort upload " + uploadId + " of " + uri
                    + " (the bucket's lifecycle rule removes it after a day): " + e.getMessage(), e);
        }
    }

    /** Waits, at most {@link #abortWait} and even when interrupted, for the uploader to finish its part. */
    private boolean awaitUploader() {
        boolean interrupted = Thread.interrupted();
        long until = System.nanoTime() + abortWait.toNanos();
        try {
            while (true) {
                try {
                    return uploader.awaitTermination(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitInFlight() throws IOException {
        if (inFlight == null) {
            return;
        }
        try {
            parts.add(inFlight.get());
            spare = inFlightBuffer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while uploading " + uri, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException("part upload to " + uri + " failed: " + cause.getMessage(), cause);
        } finally {
            inFlight = null;
            inFlightBuffer = null;
        }
    }

    private CompletedPart upload(int number, byte[] data, int length) {
        UploadPartResponse r = s3.uploadPart(UploadPartRequest.builder()
                        .bucket(bucket).key(key).uploadId(uploadId).partNumber(number).contentLength((long) length).build(),
                RequestBody.fromInputStream(new ByteArrayInputStream(data, 0, length), length));
        return CompletedPart.builder().partNumber(number).eTag(r.eTag()).build();
    }

    /** Fills one part buffer at a time and hands full parts to the uploader. */
    private final class PartStream extends OutputStream {
        private byte[] buffer;
        private int filled;
        private int partNumber = 1;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (finished) {
                throw new IOException("upload of " + uri + " is finished");
            }
            while (len > 0) {
                if (buffer == null) {
                    allocate();
                }
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == buffer.length) {
                    sendCurrent(false);
                }
            }
        }

        private void allocate() throws IOException {
            if (partNumber > PartSizes.MAX_PARTS) {
                throw new IOException("object " + uri + " exceeds S3's 10,000 parts");
            }
            int size = (int) Math.min(Integer.MAX_VALUE - 64, sizes.sizeOf(partNumber));
            buffer = spare != null && spare.length == size ? spare : new byte[size];
            spare = null;
            filled = 0;
        }

        /** Sends the current buffer; the last part may be small (or the only part empty). */
        void sendCurrent(boolean last) throws IOException {
            if (buffer == null) {
                if (!last || partNumber > 1) {
                    return;
                }
                allocate(); // an empty object still needs one part
            }
            awaitInFlight(); // at most one part in flight: bounded memory
            byte[] data = buffer;
            int length = filled;
            int number = partNumber++;
            inFlight = uploader.submit(() -> upload(number, data, length));
            inFlightBuffer = data;
            buffer = null;
            filled = 0;
        }
    }
}
