package com.taskmaster.backup.backup;

import com.taskmaster.backup.crypto.CryptoException;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.MotoServer;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a backup can fail leaves nothing visible (no manifest, no data object, no temporary file,
 * no open multipart upload), fails with a message naming the backup and the cause, and never shows the password.
 */
class BackupFailuresTest {
    static DbCredentials sample;
    static PgTools tools;

    @TempDir
    Path tmp;

    @BeforeAll
    static void sampleDatabase() {
        sample = PostgresServer.get().sampleDatabase("failures", 0.5);
        tools = PostgresServer.get().tools();
    }

    private Envelope localKey() {
        return Keys.open("file://" + tmp.resolve("backup.key"), () -> null);
    }

    private static BackupRequest manual() {
        return new BackupRequest(null, null, Trigger.manual());
    }

    /** Runs a backup expected to fail; asserts nothing is left in the file repository and no secret leaks. */
    private BackupFailedException failsCleanly(Repository repo, BackupService service, DbCredentials db) throws IOException {
        BackupFailedException e = assertThrows(BackupFailedException.class, () -> service.run(manual(), db, "req", Deadline.NONE));
        assertTrue(e.getMessage().startsWith("backup "), e.getMessage());
        assertTrue(e.getMessage().contains("of database " + db.database()), e.getMessage());
        assertTrue(repo.list("").isEmpty(), "objects left: " + repo.list(""));
        if (repo instanceof FileRepository) {
            try (Stream<Path> files = Files.walk(tmp.resolve("repo"))) {
                assertEquals(0, files.filter(Files::isRegularFile).count(), "files left in the repository directory");
            }
        }
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        if (db.password() != null) {
            assertFalse(trace.toString().contains(db.password()), "password in the exception or its causes");
        }
        return e;
    }

    private BackupService fileService(PgTools pgTools) {
        return new BackupService(new FileRepository(tmp.resolve("repo")), localKey(), pgTools, Clock.systemUTC());
    }

    @Test
    void unreachableDatabase() throws IOException {
        DbCredentials nowhere = new DbCredentials("127.0.0.1", 1, "taskmaster", "postgres", "not-the-password-123", null);
        BackupFailedException e = failsCleanly(new FileRepository(tmp.resolve("repo")), fileService(tools), nowhere);
        assertTrue(e.getMessage().contains("cannot connect to 127.0.0.1:1/taskmaster"), e.getMessage());
    }

    @Test
    void wrongPassword() throws IOException {
        DbCredentials wrong = new DbCredentials(sample.host(), sample.port(), sample.database(), sample.user(),
                "wrong-password-" + System.nanoTime(), null);
        BackupFailedException e = failsCleanly(new FileRepository(tmp.resolve("repo")), fileService(tools), wrong);
        assertTrue(e.getMessage().contains("password authentication failed"), e.getMessage());
    }

    @Test
    void missingDatabase() throws IOException {
        BackupFailedException e = failsCleanly(new FileRepository(tmp.resolve("repo")), fileService(tools),
                sample.withDatabase("no_such_database"));
        assertTrue(e.getMessage().contains("no_such_database"), e.getMessage());
    }

    private PgTools fakePgDump(String script) throws IOException {
        return com.taskmaster.backup.testing.FakePgDump.in(tmp.resolve("fakebin"), tools, script);
    }

    @Test
    void pgDumpDyingMidwayLeavesNoBackup() throws IOException {
        PgTools dying = fakePgDump("""
                [ "$1" = --version ] && exec "$REAL/pg_dump" --version
                "$REAL/pg_dump" "$@" | head -c 300000
                echo "pg_dump: error: simulated crash" >&2
                kill -9 $$""");
        BackupFailedException e = failsCleanly(new FileRepository(tmp.resolve("repo")), fileService(dying), sample);
        assertTrue(e.getMessage().contains("pg_dump exited with code"), e.getMessage());
        assertTrue(e.getMessage().contains("simulated crash"), e.getMessage());
    }

    @Test
    void aDumpFailingWhilePgDumpallStillRunsStopsItAndLeavesNoBackup() throws IOException {
        PgTools failing = fakePgDump("""
                [ "$1" = --version ] && exec "$REAL/pg_dump" --version
                "$REAL/pg_dump" "$@" | head -c 300000
                echo "pg_dump: error: simulated crash" >&2
                exit 1""");
        // pg_dumpall runs during the dump (RoleCapture.Capture); this one is slower than the failing dump
        Path dumpall = tmp.resolve("fakebin/pg_dumpall");
        Files.writeString(dumpall, "#!/bin/bash\nexec sleep 120 # roles-capture-test " + tmp + "\n");
        Files.setPosixFilePermissions(dumpall, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        long t0 = System.nanoTime();
        BackupFailedException e = failsCleanly(new FileRepository(tmp.resolve("repo")), fileService(failing), sample);
        long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertTrue(e.getMessage().contains("simulated crash"), e.getMessage());
        assertTrue(seconds < 60, "the failed backup waited for pg_dumpall: " + seconds + " s");
        assertEquals(0, ProcessHandle.current().descendants()
                .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains("sleep 120")).count(),
                "pg_dumpall left running");
    }

    @Test
    void pgDumpExitingNonZeroAfterACompleteLookingStreamLeavesNoBackup() throws IOException {
        PgTools failing = fakePgDump("""
                [ "$1" = --version ] && exec "$REAL/pg_dump" --version
                "$REAL/pg_dump" "$@"
                echo "pg_dump: error: could not write" >&2
                exit 1""");
        BackupFailedException e = failsCleanly(new FileRepository(tmp.resolve("repo")), fileService(failing), sample);
        assertTrue(e.getMessage().contains("pg_dump exited with code 1"), e.getMessage());
    }

    @Test
    void pgDumpOlderThanTheServerIsRefused() throws IOException {
        PgTools old = fakePgDump("""
                [ "$1" = --version ] && { echo "pg_dump (PostgreSQL) 12.17"; exit 0; }
                echo "must not be run" >&2; exit 99""");
        BackupFailedException e = failsCleanly(new FileRepository(tmp.resolve("repo")), fileService(old), sample);
        assertTrue(e.getMessage().contains("pg_dump 12.17 is older than the server's PostgreSQL 15"), e.getMessage());
    }

    @Test
    void somethingOtherThanAnArchiveIsRefused() throws IOException {
        PgTools plain = fakePgDump("""
                [ "$1" = --version ] && exec "$REAL/pg_dump" --version
                echo "-- PostgreSQL database dump (plain text)"; exit 0""");
        BackupFailedException e = failsCleanly(new FileRepository(tmp.resolve("repo")), fileService(plain), sample);
        assertTrue(e.getMessage().contains("not a custom-format archive"), e.getMessage());
    }

    @Test
    void approachingTheDeadlineStopsTheDumpAndCleansUp() throws IOException {
        PgTools slow = fakePgDump("""
                [ "$1" = --version ] && exec "$REAL/pg_dump" --version
                "$REAL/pg_dump" "$@" | { head -c 100000; sleep 120; }""");
        Repository repo = new FileRepository(tmp.resolve("repo"));
        BackupService service = new BackupService(repo, localKey(), slow, Clock.systemUTC());
        Instant deadline = Instant.now().plus(Deadline.Margin.WORK.duration()).plusSeconds(2);
        BackupFailedException e = assertThrows(BackupFailedException.class, () -> service.run(manual(), sample, "r", Deadline.at(deadline)));
        assertTrue(e.getMessage().contains("before the invocation's deadline"), e.getMessage());
        assertTrue(repo.list("").isEmpty());
    }

    @Test
    void missingKmsKeyFailsBeforeDumping() {
        var e = assertThrows(CryptoException.class, () -> Keys.openKms(
                "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000", MotoServer.get().kms()));
        assertTrue(e.getMessage().contains("cannot be used"), e.getMessage());
    }

    @Test
    void disabledKmsKeyIsRefused() {
        String arn = AwsFixtures.kmsKey();
        MotoServer.get().kms().disableKey(b -> b.keyId(arn.substring(arn.lastIndexOf('/') + 1)));
        var e = assertThrows(CryptoException.class, () -> Keys.openKms(arn, MotoServer.get().kms()));
        assertTrue(e.getMessage().contains("Disabled"), e.getMessage());
    }

    @Test
    void missingBucketLeavesNothingAndSaysWhich() {
        Repository repo = new S3Repository(MotoServer.get().s3(), "no-such-bucket-" + System.nanoTime(), "backups", 0);
        BackupService service = new BackupService(repo, localKey(), tools, Clock.systemUTC());
        BackupFailedException e = assertThrows(BackupFailedException.class, () -> service.run(manual(), sample, "r", Deadline.NONE));
        // the first request, the source check's listing, names the bucket and what is wrong
        assertTrue(e.getMessage().contains("s3://no-such-bucket-") && e.getMessage().contains("bucket does not exist"), e.getMessage());
    }

    @Test
    void s3FailingMidUploadAbortsTheMultipartUpload() {
        // The real SDK client against moto, with a network failure injected into every part upload.
        String bucket = AwsFixtures.bucket("failing");
        var s3 = MotoServer.get().s3();
        var failingS3 = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(MotoServer.get().endpoint()).region(MotoServer.REGION).forcePathStyle(true)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(MotoServer.ACCESS_KEY, MotoServer.SECRET_KEY)))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(software.amazon.awssdk.core.retry.RetryMode.STANDARD)
                        .addExecutionInterceptor(new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
                            @Override
                            public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution context,
                                                        software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
                                if (context.request() instanceof software.amazon.awssdk.services.s3.model.UploadPartRequest) {
                                    throw software.amazon.awssdk.core.exception.SdkClientException.create("injected: connection reset");
                                }
                            }
                        }))
                .build();
        Repository repo = new S3Repository(failingS3, bucket, "backups", 0);
        BackupService service = new BackupService(repo, localKey(), tools, Clock.systemUTC());
        BackupFailedException e = assertThrows(BackupFailedException.class, () -> service.run(manual(), sample, "r", Deadline.NONE));
        assertTrue(e.getMessage().contains("injected: connection reset"), e.getMessage());
        assertTrue(e.getMessage().contains("s3://" + bucket + "/backups/data/"), e.getMessage());
        assertTrue(repo.list("").isEmpty());
        assertEquals(0, s3.listMultipartUploads(b -> b.bucket(bucket)).uploads().size(), "open multipart uploads");
    }
}
