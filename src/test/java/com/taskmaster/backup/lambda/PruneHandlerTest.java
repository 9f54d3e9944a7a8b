package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.prune.PruneService;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.testing.Backups;
import com.taskmaster.backup.testing.PruneLambdaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The prune handler as Lambda invokes it (Quarkus' mock event server), configured like a deployed function. */
@QuarkusTest
@QuarkusTestResource(value = PruneLambdaTestResource.class, restrictToAnnotatedClass = true)
class PruneHandlerTest {
    private Repository repo;

    private static Response invoke(String event) {
        return com.taskmaster.backup.testing.MockLambda.invoke(event);
    }

    @BeforeEach
    void emptyRepositoryWithHistory() {
        repo = new FileRepository(PruneLambdaTestResource.repository);
        for (ObjectInfo o : repo.list("")) {
            repo.delete(o.key());
        }
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(2));
        for (int d = 1; d <= 45; d++) {
            put(today.minus(Duration.ofDays(d)), d == 44 ? "keep:audit" : null);
        }
        PruneLambdaTestResource.alerts.receive(0); // drain
    }

    private void put(Instant time, String label) {
        Backups.put(repo, time, "daily", label, 100);
    }

    private int manifests() {
        return repo.list(Layout.MANIFESTS).size();
    }

    @Test
    void aManualRunIsADryRunByDefault() {
        for (String event : List.of("{}", "{\"dryRun\": true}")) {
            Response r = invoke(event);
            r.then().statusCode(200);
            assertTrue(r.jsonPath().getBoolean("dryRun"), r.asString());
            assertTrue(r.jsonPath().getInt("deletedCount") > 0, r.asString());
            assertEquals(45, manifests(), "nothing deleted");
            assertTrue(repo.list(Layout.PRUNE_AUDIT).isEmpty());
        }
    }

    @Test
    void dryRunFalseDeletesAndReportsKeptAndDeletedWithReasons() {
        Response r = invoke("{\"dryRun\": false}");
        r.then().statusCode(200);
        assertFalse(r.jsonPath().getBoolean("dryRun"));
        int deleted = r.jsonPath().getInt("deletedCount");
        int kept = r.jsonPath().getInt("keptCount");
        assertEquals(45, deleted + kept);
        assertEquals(kept, manifests());
        assertEquals(deleted * 100L, r.jsonPath().getLong("bytesFreed"));
        assertEquals(deleted, r.jsonPath().getList("deleted").size());
        assertFalse(r.jsonPath().getList("deleted[0].reasons").isEmpty());
        assertTrue(r.jsonPath().getList("kept.reasons").toString().contains("hold"), r.asString());
        assertTrue(r.jsonPath().getString("audit").startsWith("file://" + PruneLambdaTestResource.repository + "/audit/prune/"));
        assertEquals(0, r.jsonPath().getList("leftovers.dataObjects").size());
        assertTrue(r.jsonPath().getString("kept[0].createdAt").matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), r.asString());
    }

    @Test
    void aScheduledEventRunsForReal() {
        Response r = invoke("{\"schedule\": \"daily\", \"scheduledTime\": \"2026-11-28T03:00:00Z\"}");
        r.then().statusCode(200);
        assertFalse(r.jsonPath().getBoolean("dryRun"));
        assertEquals("scheduled:daily", r.jsonPath().getString("trigger"));
        assertEquals(r.jsonPath().getInt("keptCount"), manifests());
    }

    @Test
    void anInterlockFailsTheInvocationAlertsAndDeletesNothing() {
        for (ObjectInfo o : repo.list("")) {
            repo.delete(o.key());
        }
        Instant old = Instant.now().minus(Duration.ofDays(500));
        for (int i = 0; i < 10; i++) {
            put(old.plus(Duration.ofDays(i)), null);
        }
        Response r = invoke("{\"dryRun\": false}");
        assertTrue(r.statusCode() >= 400, r.asString());
        assertTrue(r.asString().contains("nothing deleted"), r.asString());
        assertEquals(10, manifests());
        List<JsonNode> alerts = PruneLambdaTestResource.alerts.receive(1);
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("prune", alerts.get(0).get("handler").asText());
        assertTrue(alerts.get(0).get("error").asText().contains("BACKUP_RETENTION_MAX_DELETE_PERCENT"), alerts.toString());
    }

    @Test
    void anAcceptListingThatIsNotTheListingsSizeIsAnInterlock() {
        Response r = invoke("{\"acceptListing\": 99999}");
        r.then().statusCode(200);
        assertTrue(r.jsonPath().getList("interlocks").toString().contains("acceptListing is 99999 but the listing has"), r.asString());
    }

    @Test
    void malformedPayloadsAreRefusedWithAlertsAndChangeNothing() {
        List<String[]> cases = List.of(
                new String[] {"{\"dryRun\": \"false\"}", "must be true or false"},
                new String[] {"{\"dry_run\": false}", "unknown field 'dry_run'"},
                new String[] {"{\"dryRun\": false, \"force\": true}", "unknown field 'force'"},
                new String[] {"[true]", "must be a JSON object"},
                new String[] {"{\"dryRun\": false, \"acceptListing\": \"45\"}", "'acceptListing' must be the number of backups listed"},
                new String[] {"{\"dryRun\": false, \"acceptListing\": -1}", "'acceptListing' must be the number of backups listed"},
                new String[] {"{\"schedule\": \"daily\", \"scheduledTime\": \"tomorrow\"}", "not an ISO-8601 UTC time"});
        for (String[] c : cases) {
            Response r = invoke(c[0]);
            assertTrue(r.statusCode() >= 400, c[0] + " -> " + r.statusCode());
            assertTrue(r.asString().contains(c[1]), c[0] + " -> " + r.asString());
        }
        assertEquals(45, manifests());
        assertEquals(cases.size(), PruneLambdaTestResource.alerts.receive(cases.size()).size());
    }
}
