package com.taskmaster.backup.verify;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.format.Verifications;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.MotoServer;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GIVEN a good backup, WHEN what it is read through fails (S3 throttling, the network, KMS refusing, throttling or
 * unreachable, pg_restore missing), THEN verify records outcome {@code error}, not {@code failed}: the run still fails
 * and alerts (failures, VerifyFailure, the backup counted in VerifyBackupsFailed), but the backup's last real
 * verification — what prune and restore-test read — stands. Damage to the backup itself, read through the same real
 * services (a wrapped data key that KMS rejects as invalid ciphertext), is still {@code failed}.
 */
class VerifyErrorsTest {
    static DbCredentials sample;

    @TempDir
    Path tmp;
    Repository files;
    Envelope localKey;

    @BeforeAll
    static void sampleDatabase() {
        sample = PostgresServer.get().sampleDatabase("verifyerr", 0.1);
    }

    @BeforeEach
    void repository() {
        files = new FileRepository(tmp.resolve("repo"));
        localKey = Keys.open("file://" + tmp.resolve("backup.key"), () -> null);
    }

    static Manifest backup(Repository repo, Envelope key) throws IOException {
        String id = new BackupService(repo, key, PostgresServer.get().tools(), Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), sample, "r", Deadline.NONE).backupId();
        return Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(id))));
    }

    static VerifyService service(Repository repo, Envelope key, PgTools tools) {
        return new VerifyService(repo, Optional.empty(), key, tools, Clock.systemUTC(), VerifySettings.of("6d", "26h", 0.5, 0.5));
    }

    static S3Client s3(Faults faults) {
        return S3Client.builder().endpointOverride(MotoServer.get().endpoint()).region(MotoServer.REGION)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(MotoServer.ACCESS_KEY,
                        MotoServer.SECRET_KEY)))
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(faults)).build();
    }

    static Predicate<SdkRequest> dataObjectReads() {
        return r -> r instanceof GetObjectRequest g && g.key().contains("/" + Layout.DATA);
    }

    static Predicate<SdkRequest> kmsDecrypt() {
        return r -> r instanceof DecryptRequest;
    }

    /** The newest verification record stored for the backup (whatever prune would make of it). */
    static Verification newestRecord(Repository repo, Manifest m) throws IOException {
        List<ObjectInfo> records = repo.list(Layout.VERIFICATIONS + m.backupId() + "/");
        return Verification.fromJson(repo.read(records.get(records.size() - 1).key()));
    }

    /** One backup verified by id: the run reports it as an error, fails, alerts, and records outcome error. */
    static void assertError(VerifyService service, Repository repo, Manifest m, String reason) throws IOException {
        VerifyResult r = service.run(new VerifyRequest(Optional.of(m.backupId())), "r", Deadline.NONE);
        VerifyResult.Checked c = r.checked().get(0);
        assertEquals(Verification.Outcome.error, c.outcome(), c.reason());
        assertTrue(c.reason().contains(reason), c.reason());
        assertFalse(r.ok());
        assertTrue(r.failures().stream().anyMatch(f -> f.contains("backup " + m.backupId()) && f.contains(reason)), r.failures().toString());
        assertEquals(m.backupId().value(), r.failedBackupIds());
        Map<String, Double> metrics = new java.util.HashMap<>();
        r.metrics(Instant.now()).forEach((name, v) -> metrics.put(name, v.value()));
        assertEquals(1.0, metrics.get("VerifyFailure"));
        assertNull(metrics.get("VerifySuccess"));
        assertEquals(1.0, metrics.get("VerifyBackupsFailed"));
        assertEquals(0.0, metrics.get("VerifyBackupsPassed"));
        assertEquals(Verification.Outcome.error, newestRecord(repo, m).outcome());
    }

    static Verification.Outcome prunesView(Repository repo, Manifest m) {
        Verification latest = new Verifications(repo).latest().get(m.backupId());
        return latest == null ? null : latest.outcome();
    }

    @Test
    void s3ThrottlingAndNetworkFailuresAreErrorsAndTheLastPassStands() throws IOException {
        Faults faults = new Faults();
        Repository s3 = new S3Repository(s3(faults), AwsFixtures.bucket("verify-errors"), "backups", 0);
        Manifest m = backup(s3, localKey);
        VerifyService service = service(s3, localKey, PostgresServer.get().tools());
        assertTrue(service.run(new VerifyRequest(Optional.of(m.backupId())), "r", Deadline.NONE).ok());
        assertEquals(Verification.Outcome.passed, prunesView(s3, m));

        faults.answer(dataObjectReads(), 503, "application/xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
                        + "<Message>Please reduce your request rate.</Message><RequestId>FAULT</RequestId></Error>");
        assertError(service, s3, m, "Please reduce your request rate.");
        assertEquals(Verification.Outcome.passed, prunesView(s3, m), "one throttled re-check does not unverify a backup");

        faults.resetAfter(dataObjectReads(), m.data().storedBytes() / 2);
        assertError(service, s3, m, "Connection reset");

        faults.unreachable(dataObjectReads());
        assertError(service, s3, m, "Unable to execute HTTP request");

        assertEquals(Verification.Outcome.passed, prunesView(s3, m));
        assertEquals(4, s3.list(Layout.VERIFICATIONS + m.backupId() + "/").size(), "every check is recorded");

        faults.clear();
        assertTrue(service.run(new VerifyRequest(Optional.of(m.backupId())), "r", Deadline.NONE).ok());
    }

    @Test
    void kmsRefusingThrottlingOrUnreachableIsAnErrorButAWrappedDataKeyKmsRejectsIsAFailure() throws IOException {
        String keyArn = AwsFixtures.kmsKey();
        Faults faults = new Faults();
        Envelope kms = Keys.openKms(keyArn, MotoServer.get().kms(MotoServer.REGION, faults));
        Manifest m = backup(files, kms);
        VerifyService service = service(files, kms, PostgresServer.get().tools());
        assertTrue(service.run(new VerifyRequest(Optional.of(m.backupId())), "r", Deadline.NONE).ok());

        faults.answer(kmsDecrypt(), 400, "application/x-amz-json-1.1", "{\"__type\":\"AccessDeniedException\",\"message\":"
                + "\"User: arn:aws:sts::123456789012:assumed-role/verify/fn is not authorized to perform: kms:Decrypt\"}");
        assertError(service, files, m, "not authorized to perform: kms:Decrypt");

        faults.answer(kmsDecrypt(), 400, "application/x-amz-json-1.1", "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
        assertError(service, files, m, "Rate exceeded");

        faults.unreachable(kmsDecrypt());
        assertError(service, files, m, "Unable to execute HTTP request");
        assertEquals(Verification.Outcome.passed, prunesView(files, m));

        faults.clear();
        flipLastByteOfTheWrappedDataKey(m);
        Verification damaged = service.check(m, Optional.empty(), "r");
        assertEquals(Verification.Outcome.failed, damaged.outcome(), damaged.reason()); // KMS: InvalidCiphertextException
        assertTrue(damaged.reason().contains("cannot be decrypted"), damaged.reason());
    }

    /**
     * A damaged header: one byte of its encryption context changed. Real KMS, under the template's key policy
     * (Decrypt only with purpose = taskmaster-backup), then answers AccessDenied, an infrastructure-looking error; the
     * stored object's SHA-256, which needs no key, shows the backup itself is damaged: failed, not error.
     */
    @Test
    void aDamagedHeaderThatKmsRefusesIsAFailureNotAnError() throws IOException {
        Faults faults = new Faults();
        Envelope kms = Keys.openKms(AwsFixtures.kmsKey(), MotoServer.get().kms(MotoServer.REGION, faults));
        Manifest m = backup(files, kms);
        Path data = tmp.resolve("repo").resolve(m.data().key());
        byte[] bytes = java.nio.file.Files.readAllBytes(data);
        byte[] purpose = "taskmaster-backup".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int at = -1;
        for (int i = 0; at < 0 && i + purpose.length <= bytes.length; i++) {
            if (java.util.Arrays.equals(bytes, i, i + purpose.length, purpose, 0, purpose.length)) {
                at = i;
            }
        }
        assertTrue(at > 0, "the header holds the encryption context");
        bytes[at + 3] ^= 0x01;
        java.nio.file.Files.write(data, bytes);
        faults.answer(kmsDecrypt(), 400, "application/x-amz-json-1.1", "{\"__type\":\"AccessDeniedException\",\"message\":"
                + "\"User: arn:aws:sts::123456789012:assumed-role/verify/fn is not authorized to perform: kms:Decrypt\"}");
        Verification v = service(files, kms, PostgresServer.get().tools()).check(m, Optional.empty(), "r");
        assertEquals(Verification.Outcome.failed, v.outcome(), v.reason());
        assertTrue(v.reason().contains("has SHA-256 ") && v.reason().contains("the manifest says " + m.data().sha256()), v.reason());
    }

    @Test
    void anUnreachableReplicaIsAnErrorAMissingOneAFailure() throws IOException {
        Manifest m = backup(files, localKey);
        Repository unreachable = new S3Repository(s3(new Faults().unreachable(r -> true)), "replica", "backups", 0);
        Verification v = new VerifyService(files, Optional.of(unreachable), localKey, PostgresServer.get().tools(),
                Clock.systemUTC(), VerifySettings.of("6d", "26h", 0.5, 0.5)).check(m, Optional.empty(), "r");
        assertEquals(Verification.Outcome.error, v.outcome(), v.reason());
        assertEquals("unreadable", v.replica());
        assertTrue(v.reason().startsWith("replica unreadable: cannot look up s3://replica/backups/data/"), v.reason());

        Repository empty = new FileRepository(tmp.resolve("replica"));
        Verification missing = new VerifyService(files, Optional.of(empty), localKey, PostgresServer.get().tools(),
                Clock.offset(Clock.systemUTC(), java.time.Duration.ofHours(2)), VerifySettings.of("6d", "26h", 0.5, 0.5))
                .check(m, Optional.empty(), "r");
        assertEquals(Verification.Outcome.failed, missing.outcome(), missing.reason());
        assertEquals("missing", missing.replica());
    }

    @Test
    void pgRestoreMissingIsAnError() throws IOException {
        Manifest m = backup(files, localKey);
        Path noTools = Files.createDirectories(tmp.resolve("no-bin"));
        assertTrue(service(files, localKey, PostgresServer.get().tools()).run(new VerifyRequest(Optional.of(m.backupId())), "r", Deadline.NONE).ok());
        assertError(service(files, localKey, new PgTools(noTools)), files, m, "pg_restore not found in " + noTools);
        assertEquals(Verification.Outcome.passed, prunesView(files, m));
    }

    @Test
    void aConfiguredKeyThatIsNotTheBackupsIsAnError() throws IOException {
        Manifest m = backup(files, localKey);
        Envelope otherKey = Keys.open("file://" + tmp.resolve("other.key"), () -> null);
        assertError(service(files, otherKey, PostgresServer.get().tools()), files, m, "cannot decrypt backup " + m.backupId());
        assertEquals(null, prunesView(files, m), "never verified: not a verified backup either");
    }

    @Test
    void prunesViewIsTheLastPassOrFailureNotAnErrorNorAnUnreadableRecord() {
        BackupId id = BackupId.parse("20261122T020000Z-daily");
        BackupId onlyErrors = BackupId.parse("20261121T020000Z-daily");
        Verifications records = new Verifications(files);
        Instant t = Instant.parse("2026-11-22T04:00:00Z");
        Verifications.record(files, record(id, t, Verification.Outcome.passed));
        Verifications.record(files, record(onlyErrors, t, Verification.Outcome.error));
        assertEquals(Verification.Outcome.passed, records.latest().get(id).outcome());
        assertFalse(records.latest().containsKey(onlyErrors), "an error is no verdict: no verified backup");

        Verifications.record(files, record(id, t.plusSeconds(7 * 86400), Verification.Outcome.error));
        assertEquals(Verification.Outcome.passed, records.latest().get(id).outcome());
        assertEquals(t, records.latest().get(id).verifiedAt());

        files.putIfAbsent(ObjectKey.of(Layout.VERIFICATIONS + id + "/20261206T040000000Z-zz.json"),
                "{\"backupId\": \"20261122T020000Z-daily\", \"outcome\": \"pas".getBytes(StandardCharsets.UTF_8));
        assertEquals(Verification.Outcome.passed, records.latest().get(id).outcome(), "an unreadable record hides nothing");

        Verifications.record(files, record(id, t.plusSeconds(21 * 86400), Verification.Outcome.failed));
        Verifications.record(files, record(id, t.plusSeconds(28 * 86400), Verification.Outcome.error));
        assertEquals(Verification.Outcome.failed, records.latest().get(id).outcome());
    }

    static Verification record(BackupId id, Instant at, Verification.Outcome outcome) {
        return new Verification(id, at, outcome, outcome == Verification.Outcome.passed ? null : "why", 11, "not configured",
                List.of(), 10, "r");
    }

    /**
     * Damages the stored object's first wrapped data key (the last byte of its KMS ciphertext, in the Encryption SDK
     * message header: version, suite, message id, encryption context, then the encrypted data keys).
     */
    private void flipLastByteOfTheWrappedDataKey(Manifest m) throws IOException {
        Path data = tmp.resolve("repo").resolve(m.data().key());
        byte[] bytes = Files.readAllBytes(data);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertEquals(2, b.get(), "message format version 2");
        b.position(b.position() + 2 + 32); // suite id, message id
        int aad = Short.toUnsignedInt(b.getShort());
        b.position(b.position() + aad);
        assertEquals(1, b.getShort(), "one encrypted data key");
        skipField(b); // provider id
        skipField(b); // provider info (the key ARN)
        int length = Short.toUnsignedInt(b.getShort());
        bytes[b.position() + length - 1] ^= 0x01;
        Files.write(data, bytes);
    }

    private static void skipField(ByteBuffer b) {
        int length = Short.toUnsignedInt(b.getShort());
        b.position(b.position() + length);
    }
}
