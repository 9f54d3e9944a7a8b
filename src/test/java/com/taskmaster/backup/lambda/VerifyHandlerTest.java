package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.format.Verifications;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.VerifyTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verify handler as Lambda invokes it. GIVEN real backups (taken from a real PostgreSQL) in a file repository
 * and their copies in a replica repository, WHEN one is damaged in one way, THEN verify names the backup and the
 * reason, records the failed verification, alerts through SNS and fails the invocation.
 */
@QuarkusTest
@QuarkusTestResource(value = VerifyTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VerifyHandlerTest {

    private static Response invoke(String event) {
        return com.taskmaster.backup.testing.MockLambda.invoke(event);
    }

    private static Repository repo() {
        return new FileRepository(VerifyTestResource.repository);
    }

    /**
     * A new backup of the sample database, replicated to the replica repository as S3 replication does: every object
     * its manifest commits (data, roles) and the manifest, copied as they are.
     */
    private static Manifest backup(String label) throws IOException {
        BackupService service = new BackupService(repo(), Keys.open("file://" + VerifyTestResource.key, () -> null),
                PostgresServer.get().tools(), Clock.systemUTC());
        String id = service.run(new BackupRequest(label, null, Trigger.manual()), VerifyTestResource.database, "test", Deadline.NONE).backupId();
        Manifest m = Manifest.fromJson(repo().read(Layout.manifest(BackupId.parse(id))));
        for (Manifest.Committed c : m.committedObjects()) {
            copy(c.object().key());
        }
        copy(Layout.manifest(m.backupId()).value());
        return m;
    }

    private static void copy(String key) throws IOException {
        Path to = VerifyTestResource.replica.resolve(key);
        Files.createDirectories(to.getParent());
        Files.copy(VerifyTestResource.repository.resolve(key), to, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path data(Manifest m) {
        return VerifyTestResource.repository.resolve(m.data().key());
    }

    private static Path replicaData(Manifest m) {
        return VerifyTestResource.replica.resolve(m.data().key());
    }

    /** Verifies one backup, expects a failed invocation whose message has {@code reason}, and an alert naming the backup. */
    private static void detected(Manifest m, String reason) {
        VerifyTestResource.alerts.receive(0); // drain
        Response r = invoke("{\"backupId\": \"" + m.backupId() + "\"}");
        assertTrue(r.statusCode() >= 400, r.asString());
        assertTrue(r.asString().contains("backup " + m.backupId() + " failed verification"), r.asString());
        assertTrue(r.asString().contains(reason), "expected '" + reason + "' in " + r.asString());
        List<JsonNode> alerts = VerifyTestResource.alerts.receive(1);
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("verify", alerts.get(0).get("handler").asText());
        assertEquals(m.backupId().value(), alerts.get(0).get("backupId").asText());
        assertTrue(alerts.get(0).get("error").asText().contains(reason), alerts.get(0).toString());
        assertTrue(records(m) > 0, "the failed verification is recorded");
    }

    private static int records(Manifest m) {
        return repo().list(Layout.VERIFICATIONS + m.backupId() + "/").size();
    }

    @Test
    @Order(1)
    void intactBackupsPassAndAreRecordedThenOnlyTheNewestIsRecheckedWithinTheWindow() throws IOException {
        Manifest one = backup("one");
        Manifest two = backup("two");
        // "newest" is by snapshot time (the catalog's order); "two" was taken after "one"
        Manifest newer = two;
        Manifest older = one;
        Response first = invoke("{}");
        first.then().statusCode(200);
        assertEquals(List.of(newer.backupId().value(), older.backupId().value()), first.jsonPath().getList("checked.backupId"));
        assertEquals(List.of("passed", "passed"), first.jsonPath().getList("checked.outcome"));
        assertEquals(List.of("identical", "identical"), first.jsonPath().getList("checked.replica"));
        assertEquals(newer.tables().size(), first.jsonPath().getInt("checked[0].tables"));
        assertTrue(first.jsonPath().getBoolean("freshness.ok"));
        assertEquals(VerifyTestResource.database.database(), first.jsonPath().getString("freshness.database"));
        assertEquals(1, records(older));

        Response second = invoke("{\"schedule\": \"weekly\", \"scheduledTime\": \"2026-11-28T03:00:00Z\"}");
        second.then().statusCode(200);
        assertEquals(List.of(newer.backupId().value()), second.jsonPath().getList("checked.backupId"));
        assertEquals(1, records(older));
        assertEquals(2, records(newer));
    }

    @Test
    @Order(2)
    void corruptedBackupIsDetected() throws IOException {
        Manifest m = backup("corrupted");
        byte[] bytes = Files.readAllBytes(data(m));
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(data(m), bytes);
        detected(m, "failed authentication");
    }

    @Test
    @Order(3)
    void truncatedBackupIsDetected() throws IOException {
        Manifest m = backup("truncated");
        byte[] bytes = Files.readAllBytes(data(m));
        Files.write(data(m), Arrays.copyOf(bytes, bytes.length - 1000));
        detected(m, "backup " + m.backupId());
    }

    @Test
    @Order(4)
    void missingDataObjectIsDetected() throws IOException {
        Manifest m = backup("missing");
        Files.delete(data(m));
        detected(m, "data object file://" + data(m) + " is missing");
    }

    @Test
    @Order(5)
    void swappedDataObjectIsDetectedByTheEncryptionContext() throws IOException {
        Manifest a = backup("swap-a");
        Manifest b = backup("swap-b");
        // b's data object replaced by a's: only the encryption context (and the checksum) tell them apart
        Files.copy(data(a), data(b), StandardCopyOption.REPLACE_EXISTING);
        detected(b, "encryption context mismatch for 'backupId'");
    }

    @Test
    @Order(6)
    void missingReplicaIsDetected() throws IOException {
        Manifest m = backup("no-replica");
        Files.delete(replicaData(m));
        // a fresh backup's copy may still be on its way (pending): this one is made to look an hour old
        Manifest old = aged(m);
        detected(old, "replica missing: data object file://" + replicaData(m) + " does not exist");
    }

    @Test
    @Order(7)
    void differentReplicaIsDetected() throws IOException {
        Manifest m = backup("bad-replica");
        byte[] bytes = Files.readAllBytes(replicaData(m));
        bytes[100] ^= 0x01;
        Files.write(replicaData(m), bytes);
        detected(m, "replica differs: file://" + replicaData(m) + " has SHA-256");
    }

    /** The drill and scenario 3 restore from the replica: without the roles object there, they lack the roles. */
    @Test
    @Order(8)
    void aReplicaMissingOnlyTheRolesObjectIsDetected() throws IOException {
        Manifest m = backup("no-replica-roles");
        Path roles = VerifyTestResource.replica.resolve(m.roles().object().key());
        Files.delete(roles);
        detected(aged(m), "replica missing: roles object file://" + roles + " does not exist");
    }

    @Test
    @Order(9)
    void badPayloadsGetClearErrors() {
        VerifyTestResource.alerts.receive(0);
        for (String[] c : List.of(
                new String[] {"{\"backupId\": \"../../etc/passwd\"}", "invalid backup id"},
                new String[] {"{\"backupId\": \"20200101T000000Z-manual-nothere\"}", "no backup 20200101T000000Z-manual-nothere"},
                new String[] {"{\"backupld\": \"x\"}", "unknown field 'backupld'"})) {
            Response r = invoke(c[0]);
            assertTrue(r.statusCode() >= 400, c[0]);
            assertTrue(r.asString().contains(c[1]), c[0] + " -> " + r.asString());
        }
        assertEquals(3, VerifyTestResource.alerts.receive(3).size());
    }

    /** Rewrites a backup's manifest (in both repositories) as if it had finished two hours ago. */
    private static Manifest aged(Manifest m) throws IOException {
        Manifest old = new Manifest(m.formatVersion(), m.backupId(), m.database(), m.pgDumpVersion(),
                m.startedAt().minusSeconds(7200), m.finishedAt().minusSeconds(7200), m.data(), m.compression(), m.encryption(),
                m.tables(), m.label(), m.reason(), m.trigger(), m.requestId(), m.fingerprints(), m.roles());
        String key = Layout.manifest(m.backupId()).value();
        Files.write(VerifyTestResource.repository.resolve(key), old.toJson());
        Files.write(VerifyTestResource.replica.resolve(key), old.toJson());
        return old;
    }
}
