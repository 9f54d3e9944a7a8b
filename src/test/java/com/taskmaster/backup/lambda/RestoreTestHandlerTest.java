package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.format.Verifications;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.restoretest.RestoreTestService;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.RestoreTestTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The restore-test handler as Lambda invokes it, against a real PostgreSQL: the newest verified backup is restored
 * into a scratch database, proven, measured and reported; the scratch database is dropped on success and when the
 * restore fails halfway.
 */
@QuarkusTest
@QuarkusTestResource(value = RestoreTestTestResource.class, restrictToAnnotatedClass = true)
class RestoreTestHandlerTest {

    private static Response invoke(String event) {
        return com.taskmaster.backup.testing.MockLambda.invoke(event);
    }

    private static FileRepository repo() {
        return new FileRepository(RestoreTestTestResource.repository);
    }

    private static Manifest backup() throws IOException {
        String id = new BackupService(repo(), Keys.open("file://" + RestoreTestTestResource.key, () -> null),
                PostgresServer.get().tools(), Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), RestoreTestTestResource.source, "t", Deadline.NONE).backupId();
        return Manifest.fromJson(repo().read(Layout.manifest(BackupId.parse(id))));
    }

    private static void markVerified(Manifest m) {
        Verifications.record(repo(), new Verification(m.backupId(), Instant.now(), Verification.Outcome.passed, null,
                m.tables().size(), null, List.of(), 1, "t"));
    }

    private static String scratchDatabases() {
        return PostgresServer.scratch().psql("postgres", "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'tmb_restore_test_%'").strip();
    }

    @Test
    void restoresTheNewestVerifiedBackupProvesItReportsAndDropsTheScratchDatabase() throws Exception {
        Manifest verified = backup();
        markVerified(verified);
        Thread.sleep(1100);
        backup(); // newer, not verified: not chosen
        Response r = invoke("{}");
        r.then().statusCode(200);
        assertEquals("passed", r.jsonPath().getString("outcome"));
        assertEquals(verified.backupId().value(), r.jsonPath().getString("backupId"));
        assertTrue(r.jsonPath().getBoolean("verified"));
        assertTrue(r.jsonPath().getBoolean("fingerprintsEqual"));
        assertEquals(verified.tables().size(), r.jsonPath().getInt("tablesRestored"));
        assertTrue(r.jsonPath().getString("proof").startsWith("content fingerprints"), r.asString());
        assertEquals(verified.tables().size(), r.jsonPath().getList("tables").size());
        assertTrue(r.jsonPath().<Boolean>getList("tables.digestEqual").stream().allMatch(Boolean.TRUE::equals), r.asString());
        assertEquals(List.of(true, true), r.jsonPath().getList("smokeQueries.passed"));
        assertTrue(r.jsonPath().getBoolean("rtoMet"));
        assertEquals("PT4H", r.jsonPath().getString("rto"));
        assertTrue(r.jsonPath().getLong("sourceDatabaseBytes") > 0);
        assertTrue(r.jsonPath().getBoolean("scratchDropped"));
        assertEquals("", scratchDatabases());
        String report = r.jsonPath().getString("report");
        assertTrue(report.startsWith("file://" + RestoreTestTestResource.repository + "/" + Layout.RESTORE_TEST_REPORTS), report);
        Path json = Path.of(report.substring("file://".length()));
        assertTrue(Files.readString(json).contains("\"outcome\" : \"passed\""));
        String summary = Files.readString(Path.of(json.toString().replace(".json", ".txt")));
        assertTrue(summary.startsWith("restore-test PASSED"), summary);
        assertTrue(summary.contains("(met)"), summary);
    }

    @Test
    void aRestoreFailingHalfwayIsReportedAlertedAndItsScratchDatabaseDropped() throws Exception {
        Manifest bad = backup();
        Path data = RestoreTestTestResource.repository.resolve(bad.data().key());
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(data, bytes);
        RestoreTestTestResource.alerts.receive(0);
        Response r = invoke("{\"backupId\": \"" + bad.backupId() + "\"}");
        assertTrue(r.statusCode() >= 400, r.asString());
        assertTrue(r.asString().contains("restore-test of backup " + bad.backupId() + " failed"), r.asString());
        assertTrue(r.asString().contains("failed authentication"), r.asString());
        assertEquals("", scratchDatabases());
        List<JsonNode> alerts = RestoreTestTestResource.alerts.receive(1);
        assertEquals(1, alerts.size());
        assertEquals("restore-test", alerts.get(0).get("handler").asText());
        assertEquals(bad.backupId().value(), alerts.get(0).get("backupId").asText());
        assertEquals(RestoreTestTestResource.repository.resolve("reports/readiness/latest.html").toString(),
                alerts.get(0).get("report").asText(), "a file repository's link is the page's path");
        List<String> reports = repo().list(Layout.RESTORE_TEST_REPORTS).stream().map(i -> i.key().value())
                .filter(k -> k.contains(bad.backupId().value()) && k.endsWith(".json")).toList();
        assertEquals(1, reports.size(), reports.toString());
        assertTrue(new String(repo().read(com.taskmaster.backup.repository.ObjectKey.of(reports.get(0)))).contains("\"outcome\" : \"failed\""));
    }

    @Test
    void badPayloadsAreRefused() {
        Response r = invoke("{\"backupId\": \"../../etc\"}");
        assertTrue(r.statusCode() >= 400);
        assertTrue(r.asString().contains("invalid backup id"), r.asString());
        Response u = invoke("{\"target\": \"x\"}");
        assertTrue(u.asString().contains("unknown field 'target'"), u.asString());
    }
}
