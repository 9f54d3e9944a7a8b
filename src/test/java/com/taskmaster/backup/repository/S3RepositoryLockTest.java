package com.taskmaster.backup.repository;

import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.MotoObjectLock;
import com.taskmaster.backup.testing.MotoServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectLegalHoldResponse;
import software.amazon.awssdk.services.s3.model.GetObjectLockConfigurationResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRetentionResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockConfiguration;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHold;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link S3Repository#lockState}: the S3 calls and their error mapping against a stub client (exactly what S3
 * documents), then what moto 5.2.1 can check for real (Object Lock configuration, legal holds; retention through
 * {@link MotoObjectLock}'s shim, since moto lacks GetObjectRetention).
 */
class S3RepositoryLockTest {
    private static final ObjectKey KEY = ObjectKey.of("manifests/20261128T020000Z-daily.json");
    private static final Instant FUTURE = Instant.now().plus(Duration.ofDays(10)).truncatedTo(ChronoUnit.SECONDS);

    static S3Exception error(int status, String code) {
        return error(status, code, code);
    }

    static S3Exception error(int status, String code, String message) {
        return (S3Exception) S3Exception.builder().statusCode(status).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
    }

    /** A stub S3 client: each lock call answers with the given function of nothing (a response, or throws). */
    static final class Stub {
        final List<String> calls = new ArrayList<>();
        final Map<String, Function<Object, Object>> answers;

        Stub(Map<String, Function<Object, Object>> answers) {
            this.answers = answers;
        }

        S3Client client() {
            return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class},
                    (p, m, args) -> {
                        if (!answers.containsKey(m.getName())) {
                            throw new UnsupportedOperationException(m.getName());
                        }
                        calls.add(m.getName());
                        return answers.get(m.getName()).apply(args == null ? null : args[0]);
                    });
        }
    }

    static Function<Object, Object> fail(RuntimeException e) {
        return x -> {
            throw e;
        };
    }

    static Object lockEnabled(Object ignored) {
        return GetObjectLockConfigurationResponse.builder().objectLockConfiguration(
                ObjectLockConfiguration.builder().objectLockEnabled(ObjectLockEnabled.ENABLED).build()).build();
    }

    static Object noHold(Object ignored) {
        return GetObjectLegalHoldResponse.builder().legalHold(ObjectLockLegalHold.builder().status(ObjectLockLegalHoldStatus.OFF).build()).build();
    }

    static LockState state(Stub stub) {
        return new S3Repository(stub.client(), "bucket", "backups", 0).lockState(KEY);
    }

    @Test
    void aBucketWithoutObjectLockIsAskedOnceAndNothingIsLocked() {
        Stub stub = new Stub(Map.of("getObjectLockConfiguration", fail(error(404, "ObjectLockConfigurationNotFoundError"))));
        S3Repository repo = new S3Repository(stub.client(), "bucket", "backups", 0);
        for (int i = 0; i < 5; i++) {
            assertEquals(LockState.NONE, repo.lockState(KEY));
        }
        assertEquals(List.of("getObjectLockConfiguration"), stub.calls, "one call per run, not two per backup");
    }

    @Test
    void retentionInTheFutureIsReportedWithItsMode() {
        Stub stub = new Stub(Map.of("getObjectLockConfiguration", S3RepositoryLockTest::lockEnabled,
                "getObjectLegalHold", S3RepositoryLockTest::noHold,
                "getObjectRetention", x -> GetObjectRetentionResponse.builder().retention(ObjectLockRetention.builder()
                        .mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(FUTURE).build()).build()));
        S3Repository repo = new S3Repository(stub.client(), "bucket", "backups", 0);
        LockState s = repo.lockState(KEY);
        assertEquals(new LockState(FUTURE, "COMPLIANCE", false), s);
        assertTrue(s.lockedAt(Instant.now()));
        assertFalse(s.lockedAt(FUTURE), "a retention ends at its retain-until date");
        repo.lockState(KEY);
        assertEquals(List.of("getObjectLockConfiguration", "getObjectLegalHold", "getObjectRetention",
                "getObjectLegalHold", "getObjectRetention"), stub.calls, "the bucket's configuration is read once");
    }

    @Test
    void aLegalHoldIsEnoughAndTheRetentionIsNotAsked() {
        Stub stub = new Stub(Map.of("getObjectLockConfiguration", S3RepositoryLockTest::lockEnabled,
                "getObjectLegalHold", x -> GetObjectLegalHoldResponse.builder()
                        .legalHold(ObjectLockLegalHold.builder().status(ObjectLockLegalHoldStatus.ON).build()).build()));
        assertEquals(new LockState(null, null, true), state(stub));
    }

    @Test
    void objectsWithoutLocksOrGoneAreNotLocked() {
        Stub none = new Stub(Map.of("getObjectLockConfiguration", S3RepositoryLockTest::lockEnabled,
                "getObjectLegalHold", fail(error(404, "NoSuchObjectLockConfiguration")),
                "getObjectRetention", fail(error(404, "NoSuchObjectLockConfiguration"))));
        assertEquals(LockState.NONE, state(none));
        Stub gone = new Stub(Map.of("getObjectLockConfiguration", S3RepositoryLockTest::lockEnabled,
                "getObjectLegalHold", fail(error(404, "NoSuchKey"))));
        assertEquals(LockState.NONE, state(gone));
        // S3's answer to a lock query in a bucket without Object Lock: not locked
        Stub noLock = new Stub(Map.of("getObjectLockConfiguration", S3RepositoryLockTest::lockEnabled,
                "getObjectLegalHold", fail(error(400, "InvalidRequest", "Bucket is missing Object Lock Configuration"))));
        assertEquals(LockState.NONE, state(noLock));
        // any other InvalidRequest is a failure
        Stub invalid = new Stub(Map.of("getObjectLockConfiguration", S3RepositoryLockTest::lockEnabled,
                "getObjectLegalHold", fail(error(400, "InvalidRequest", "Invalid version id specified"))));
        assertThrows(RepositoryException.class, () -> state(invalid));
    }

    @Test
    void anUnknownStateFailsInsteadOfReadingAsUnlocked() {
        for (Function<Object, Object> broken : List.of(fail(error(403, "AccessDenied")), fail(error(500, "InternalError")),
                fail(SdkClientException.create("connection reset")))) {
            assertThrows(RepositoryException.class, () -> state(new Stub(Map.of("getObjectLockConfiguration", broken))));
            assertThrows(RepositoryException.class, () -> state(new Stub(Map.of("getObjectLockConfiguration",
                    S3RepositoryLockTest::lockEnabled, "getObjectLegalHold", broken))));
            var e = assertThrows(RepositoryException.class, () -> state(new Stub(Map.of("getObjectLockConfiguration",
                    S3RepositoryLockTest::lockEnabled, "getObjectLegalHold", S3RepositoryLockTest::noHold,
                    "getObjectRetention", broken))));
            assertTrue(e.getMessage().contains("Object Lock retention"), e.getMessage());
        }
    }

    @Test
    void motoBucketWithoutObjectLockIsNeverLocked() {
        String bucket = AwsFixtures.bucket("nolock");
        S3Client s3 = MotoServer.get().s3();
        S3Repository repo = new S3Repository(s3, bucket, "backups", 0);
        repo.putIfAbsent(KEY, new byte[] {1});
        assertEquals(LockState.NONE, repo.lockState(KEY));
        assertEquals(LockState.NONE, repo.lockState(ObjectKey.of("manifests/missing.json")));
    }

    @Test
    void motoBucketWithObjectLockReportsLegalHoldsAndRetentions() {
        String bucket = MotoObjectLock.lockedBucket("lock");
        S3Client moto = MotoServer.get().s3();
        S3Repository repo = new S3Repository(MotoObjectLock.withRetentionFromHead(moto), bucket, "backups", 0);
        ObjectKey held = ObjectKey.of("manifests/held.json");
        ObjectKey retained = ObjectKey.of("manifests/retained.json");
        ObjectKey free = ObjectKey.of("manifests/free.json");
        for (ObjectKey k : List.of(held, retained, free)) {
            moto.putObject(b -> b.bucket(bucket).key("backups/" + k.value()), RequestBody.fromString("{}"));
        }
        moto.putObjectLegalHold(b -> b.bucket(bucket).key("backups/" + held.value())
                .legalHold(h -> h.status(ObjectLockLegalHoldStatus.ON)));
        moto.putObjectRetention(b -> b.bucket(bucket).key("backups/" + retained.value())
                .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(FUTURE)));
        assertTrue(repo.lockState(held).legalHold());
        LockState r = repo.lockState(retained);
        assertEquals("GOVERNANCE", r.mode());
        assertEquals(FUTURE, r.retainUntil());
        assertEquals(LockState.NONE, repo.lockState(free));
    }

    /**
     * Documents the moto 5.2.1 gap the shim covers: its GetObjectRetention is GetObject in disguise. Through the
     * real client the repository must fail (unknown state), never read the object's bytes as "no retention".
     */
    @Test
    void motoWithoutGetObjectRetentionMakesLockStateFailNotUnlocked() {
        String bucket = MotoObjectLock.lockedBucket("lockgap");
        S3Client moto = MotoServer.get().s3();
        S3Repository repo = new S3Repository(moto, bucket, "backups", 0);
        repo.putIfAbsent(KEY, "{}".getBytes());
        var e = assertThrows(RepositoryException.class, () -> repo.lockState(KEY));
        assertTrue(e.getMessage().contains("Object Lock retention"), e.getMessage()); // "Could not parse XML response"
    }
}
