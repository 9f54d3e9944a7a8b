package com.taskmaster.backup.repository;

import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.MotoServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Aborting a multipart upload on S3 (moto) while a part is being sent. S3 documents that parts in flight when
 * AbortMultipartUpload arrives "might or might not succeed"; a part stored after the abort belongs to an upload that
 * is no longer listed, so nothing (prune, the lifecycle rule) would ever remove it. The HTTP client ignores interrupts,
 * so the writer must wait for the part before aborting. Parts are slowed by a request body that trickles (and, like
 * the URL-connection client, ignores interrupts); the S3 client is wrapped to record the order of calls.
 */
class S3MultipartWriterTest {
    private static final int PART = 5 << 20;
    private final S3Client real = MotoServer.get().s3();
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private String bucket;
    private volatile long partDelayMillis;
    private volatile boolean abortFails;

    @BeforeEach
    void setUp() {
        bucket = AwsFixtures.bucket("mpu");
    }

    /** The moto client, with slow parts and (when asked) a failing AbortMultipartUpload, recording each call's end. */
    private S3Client recording() {
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class},
                (proxy, method, args) -> {
                    try {
                        if (method.getName().equals("uploadPart") && args.length == 2 && args[0] instanceof UploadPartRequest r) {
                            RequestBody body = (RequestBody) args[1];
                            RequestBody slow = RequestBody.fromContentProvider(
                                    () -> new Trickle(body.contentStreamProvider().newStream(), partDelayMillis),
                                    body.optionalContentLength().orElseThrow(), body.contentType());
                            try {
                                return method.invoke(real, r, slow);
                            } finally {
                                calls.add("uploadPart " + r.partNumber() + " ended");
                            }
                        }
                        if (method.getName().equals("abortMultipartUpload") && args[0] instanceof AbortMultipartUploadRequest) {
                            calls.add("abortMultipartUpload");
                            if (abortFails) {
                                throw SdkClientException.create("connection reset (test)");
                            }
                        }
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Delays its first read, ignoring interrupts meanwhile (as a blocked socket write does). */
    private static final class Trickle extends FilterInputStream {
        private long delayMillis;

        Trickle(InputStream in, long delayMillis) {
            super(in);
            this.delayMillis = delayMillis;
        }

        private void pause() {
            long until = System.nanoTime() + delayMillis * 1_000_000;
            delayMillis = 0;
            boolean interrupted = false;
            while (System.nanoTime() < until) {
                try {
                    Thread.sleep(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public int read() throws IOException {
            pause();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            pause();
            return super.read(b, off, len);
        }
    }

    private S3MultipartWriter writer(String key, Duration abortWait) {
        return new S3MultipartWriter(recording(), bucket, key, "s3://" + bucket + "/" + key, new PartSizes(PART), abortWait);
    }

    private int openUploads() {
        return real.listMultipartUploads(b -> b.bucket(bucket)).uploads().size();
    }

    @Test
    void abortWaitsForThePartBeingSentThenAbortsAndNothingIsLeft() throws IOException {
        partDelayMillis = 1500;
        S3MultipartWriter w = writer("data/slow.bin", S3MultipartWriter.ABORT_WAIT);
        w.stream().write(new byte[PART + 10]); // part 1 goes to the uploader, and is slow
        assertEquals(1, openUploads());
        w.abort();
        assertEquals(List.of("uploadPart 1 ended", "abortMultipartUpload"), List.copyOf(calls),
                "AbortMultipartUpload only once the part in flight is done");
        assertEquals(0, openUploads(), "no open upload");
        assertEquals(0, real.listObjectsV2(b -> b.bucket(bucket)).contents().size(), "no object");
        w.abort(); // again: nothing more
        assertEquals(1, calls.stream().filter(c -> c.equals("abortMultipartUpload")).count());
    }

    @Test
    void aPartStillInFlightAfterTheWaitLeavesTheUploadListedForPruneInsteadOfAbortingUnderIt() throws IOException {
        partDelayMillis = 3000;
        S3MultipartWriter w = writer("data/stuck.bin", Duration.ofMillis(300));
        w.stream().write(new byte[PART + 10]);
        RepositoryException e = assertThrows(RepositoryException.class, w::abort);
        assertTrue(e.getMessage().contains("left open"), e.getMessage());
        assertTrue(calls.stream().noneMatch(c -> c.equals("abortMultipartUpload")), calls.toString());
        assertEquals(1, openUploads(), "the upload stays listed: prune and the lifecycle rule can still remove it");
        real.listMultipartUploads(b -> b.bucket(bucket)).uploads()
                .forEach(u -> real.abortMultipartUpload(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId())));
    }

    @Test
    void aFailedCommitThrowsItsOwnErrorWithTheAbortFailureSuppressed() throws IOException {
        real.putObject(b -> b.bucket(bucket).key("data/exists.bin"), RequestBody.fromString("first"));
        S3MultipartWriter w = writer("data/exists.bin", S3MultipartWriter.ABORT_WAIT);
        w.stream().write(new byte[100]);
        abortFails = true;
        RepositoryException e = assertThrows(RepositoryException.class, w::commit);
        assertInstanceOf(ObjectExistsException.class, e, "the original error, not the abort's: " + e);
        assertEquals(1, e.getSuppressed().length, List.of(e.getSuppressed()).toString());
        assertTrue(e.getSuppressed()[0].getMessage().contains("cannot abort upload"), e.getSuppressed()[0].getMessage());
        real.listMultipartUploads(b -> b.bucket(bucket)).uploads()
                .forEach(u -> real.abortMultipartUpload(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId())));
    }
}
