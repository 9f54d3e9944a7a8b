package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.testing.MotoServer;
import com.taskmaster.backup.testing.ReportTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report handler as Lambda invokes it, on an S3 repository (moto): the page is written, a capacity warning alerts
 * through SNS with a presigned link that serves the page, and payloads other than {} or an EventBridge event are refused.
 */
@QuarkusTest
@QuarkusTestResource(value = ReportTestResource.class, restrictToAnnotatedClass = true)
class ReportHandlerTest {

    private static S3Repository repo() {
        return new S3Repository(MotoServer.get().s3(), ReportTestResource.bucket, ReportTestResource.PREFIX, 0);
    }

    /** Daily backups of the last 20 days whose dump time grows 10 s a day from 12.5 min: the 14.5-min limit is ~12 days away. */
    private static String growingBackups() {
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        String newest = null;
        for (int d = 20; d >= 1; d--) {
            Instant at = today.minus(Duration.ofDays(d)).plus(Duration.ofHours(2));
            BackupId id = BackupId.scheduled(at, "daily");
            long plain = 1_500_000_000L + (20 - d) * 20_000_000L;
            Manifest m = new Manifest(Manifest.FORMAT_VERSION, id, new Manifest.Database("taskmaster", "db.example", 5432, "15.8"), "15.8",
                    at, at.plusSeconds(plain / 2_000_000), new Manifest.DataObject(Layout.data(id, "a1").value(), plain, plain / 3, "0".repeat(64)),
                    new Manifest.Compression("zstd", 2), new Manifest.Encryption("aws-encryption-sdk", "ALG", 65536, "local", "k", Map.of()),
                    List.of(new TableFingerprint("taskmaster", "users", 1000)), null, null, Trigger.manual(), "t");
            repo().putIfAbsent(Layout.manifest(id), m.toJson());
            newest = id.value();
        }
        return newest;
    }

    @Test
    void writesThePageAndACapacityWarningAlertsWithALinkThatServesIt() throws Exception {
        String newest = growingBackups();
        ReportTestResource.alerts.receive(0);
        Response r = com.taskmaster.backup.testing.MockLambda.invoke("{}");
        r.then().statusCode(200);
        assertTrue(r.jsonPath().getBoolean("capacityWarning"), r.asString());
        assertTrue(r.jsonPath().getString("capacity").startsWith("backup: "), r.asString());
        assertEquals(20, r.jsonPath().getInt("backups"));
        String report = r.jsonPath().getString("report");
        assertEquals(repo().uriOf(Layout.readinessReport(Instant.now())), report);
        byte[] page = repo().read(Layout.readinessReport(Instant.now()));
        assertTrue(new String(page, java.nio.charset.StandardCharsets.UTF_8).contains(newest));
        assertArrayEquals(page, repo().read(Layout.READINESS_LATEST));

        List<JsonNode> alerts = ReportTestResource.alerts.receive(1);
        assertEquals(1, alerts.size(), alerts.toString());
        JsonNode alert = alerts.get(0);
        assertEquals("report", alert.get("handler").asText());
        assertEquals("warning", alert.get("severity").asText());
        assertEquals("taskmaster", alert.get("database").asText());
        assertTrue(alert.get("error").asText().startsWith("capacity forecast: backup: "), alert.toString());
        String link = alert.get("report").asText();
        assertTrue(link.contains("X-Amz-Expires=3600") && link.contains("response-content-type=text%2Fhtml"), link);
        HttpResponse<byte[]> fetched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(link)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fetched.statusCode());
        assertArrayEquals(page, fetched.body());
        assertTrue(fetched.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), fetched.headers().toString());
    }

    @Test
    void takesSchedulerAndEventBridgeEventsAndRefusesParameters() {
        String event = "{\"version\": \"0\", \"source\": \"aws.lambda\", \"detail-type\": \"Lambda Function Invocation Result - Success\", \"detail\": {}}";
        com.taskmaster.backup.testing.MockLambda.invoke(event).then().statusCode(200);
        com.taskmaster.backup.testing.MockLambda.invoke("{\"schedule\":\"report\",\"scheduledTime\":\"2026-12-06T05:00:00Z\"}")
                .then().statusCode(200);
        Response bad = com.taskmaster.backup.testing.MockLambda.invoke("{\"backupId\": \"x\"}");
        assertTrue(bad.statusCode() >= 400, bad.asString());
        assertTrue(bad.asString().contains("report takes no parameters"), bad.asString());
        assertFalse(repo().list("").stream().anyMatch(i -> !i.key().value().startsWith("manifests/")
                && !i.key().value().startsWith(Layout.READINESS_REPORTS)), "nothing written outside reports/readiness/");
        assertTrue(repo().stat(ObjectKey.of(Layout.READINESS_LATEST.value())).isPresent());
    }
}
