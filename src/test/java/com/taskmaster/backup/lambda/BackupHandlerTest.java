package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.testing.LambdaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backup handler as Lambda invokes it (Quarkus' mock event server), configured like a deployed function. */
@QuarkusTest
@QuarkusTestResource(value = LambdaTestResource.class, restrictToAnnotatedClass = true)
class BackupHandlerTest {

    private static Response invoke(String event) {
        return com.taskmaster.backup.testing.MockLambda.invoke(event);
    }

    private static int manifests() {
        return new FileRepository(LambdaTestResource.repository).list(Layout.MANIFESTS).size();
    }

    @Test
    void manualBackupReturnsItsSummary() {
        Response r = invoke("{\"label\": \"pre-migration\", \"reason\": \"release 2.4\"}");
        r.then().statusCode(200);
        String id = r.jsonPath().getString("backupId");
        assertTrue(id.matches("\\d{8}T\\d{6}Z-manual-[a-z0-9]{6}"), id);
        assertEquals("pre-migration", r.jsonPath().getString("label"));
        assertEquals(11, r.jsonPath().getInt("tableCount"));
        assertTrue(r.jsonPath().getLong("storedBytes") > 0);
        assertTrue(r.jsonPath().getString("sha256").matches("[0-9a-f]{64}"));
        assertTrue(r.jsonPath().getString("location").startsWith("file://" + LambdaTestResource.repository + "/data/" + id));
    }

    @Test
    void scheduledEventDeliveredTwiceMakesOneBackup() {
        int before = manifests();
        String event = "{\"schedule\": \"hourly\", \"scheduledTime\": \"2026-11-28T05:00:00Z\"}";
        Response first = invoke(event);
        Response second = invoke(event);
        first.then().statusCode(200);
        second.then().statusCode(200);
        assertEquals("20261128T050000Z-hourly", first.jsonPath().getString("backupId"));
        assertEquals(first.jsonPath().getString("backupId"), second.jsonPath().getString("backupId"));
        assertTrue(second.jsonPath().getBoolean("duplicate"));
        assertEquals(before + 1, manifests());
    }

    @Test
    void eventBridgeRuleEventIsRecognised() {
        Response r = invoke("""
                {"version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
                 "source": "aws.events", "account": "123456789012", "time": "2026-11-28T02:00:00Z", "region": "us-east-1",
                 "resources": ["arn:aws:events:us-east-1:123456789012:rule/taskmaster-backup-daily"], "detail": {}}""");
        r.then().statusCode(200);
        assertEquals("20261128T020000Z-taskmaster-backup-daily", r.jsonPath().getString("backupId"));
        assertEquals("scheduled", r.jsonPath().getString("trigger"));
    }

    @Test
    void malformedPayloadsGetClearErrorsAlertAndChangeNothing() {
        int before = manifests();
        LambdaTestResource.alerts.receive(0); // drain
        List<String[]> cases = List.of(
                new String[] {"{\"label\": \"two words\"}", "invalid label"},
                new String[] {"{\"lable\": \"typo\"}", "unknown field 'lable'"},
                new String[] {"{\"label\": 42}", "field 'label' must be a string"},
                new String[] {"[1, 2]", "must be a JSON object"},
                new String[] {"{\"schedule\": \"daily\", \"scheduledTime\": \"yesterday\"}", "not an ISO-8601 UTC time"},
                new String[] {"{\"schedule\": \"../../etc\", \"scheduledTime\": \"2026-11-28T02:00:00Z\"}", "invalid schedule name"});
        for (String[] c : cases) {
            Response r = invoke(c[0]);
            assertTrue(r.statusCode() >= 400, c[0] + " -> " + r.statusCode());
            assertTrue(r.asString().contains(c[1]), c[0] + " -> " + r.asString());
        }
        assertEquals(before, manifests());
        List<JsonNode> alerts = LambdaTestResource.alerts.receive(cases.size());
        assertEquals(cases.size(), alerts.size(), alerts.toString());
        for (JsonNode a : alerts) {
            assertEquals("backup", a.get("handler").asText());
            assertFalse(a.get("requestId").asText().isEmpty());
        }
    }

    @Test
    void noSecretInResultsOrAlerts() {
        String password = LambdaTestResource.database.password();
        Response ok = invoke("{}");
        Response bad = invoke("{\"label\": \"" + password + " \"}"); // a secret pasted where it does not belong
        assertFalse(ok.asString().contains(password));
        assertFalse(bad.asString().contains(password), bad.asString());
        String alerts = LambdaTestResource.alerts.receiveAllText(1);
        assertFalse(alerts.isEmpty());
        assertFalse(alerts.contains(password), alerts);
    }
}
