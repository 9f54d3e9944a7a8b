package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.testing.DrDrillTestResource;
import com.taskmaster.backup.testing.MockLambda;
import com.taskmaster.backup.testing.TwoRegions;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dr-drill handler as Lambda invokes it in the secondary region: a drill passes and returns its report; the same
 * drill without the replicated data object fails, alerts through SNS (naming the handler and the reason) and still
 * writes its report; a payload is refused.
 */
@QuarkusTest
@QuarkusTestResource(value = DrDrillTestResource.class, restrictToAnnotatedClass = true)
class DrDrillHandlerTest {

    @Test
    void aDrillPassesThenFailsAndAlertsWhenTheReplicaLosesItsDataObject() {
        DrDrillTestResource.alerts.receive(0);
        Response ok = MockLambda.invoke("{\"schedule\":\"dr-drill\",\"scheduledTime\":\"2026-01-15T07:00:00Z\"}");
        ok.then().statusCode(200);
        assertEquals("passed", ok.jsonPath().getString("outcome"), ok.asString());
        assertEquals(DrDrillTestResource.backup.backupId().value(), ok.jsonPath().getString("backupId"));
        assertEquals(DrDrillTestResource.replicaKey, ok.jsonPath().getString("keyId"));
        assertEquals(TwoRegions.SECONDARY.id(), ok.jsonPath().getString("region"));
        assertTrue(ok.jsonPath().getBoolean("rpoMet") && ok.jsonPath().getBoolean("rtoMet"), ok.asString());
        assertTrue(ok.jsonPath().getString("report").startsWith("s3://" + DrDrillTestResource.replicaBucket + "/reports/dr-drill/"));

        TwoRegions.s3(TwoRegions.SECONDARY).deleteObject(b -> b.bucket(DrDrillTestResource.replicaBucket)
                .key(DrDrillTestResource.backup.data().key()));
        Response failed = MockLambda.invoke("{}");
        assertTrue(failed.statusCode() >= 400, failed.asString());
        assertTrue(failed.asString().contains("the replica is missing"), failed.asString());
        List<JsonNode> alerts = DrDrillTestResource.alerts.receive(1);
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("dr-drill", alerts.get(0).get("handler").asText());
        assertEquals("taskmaster", alerts.get(0).get("database").asText());
        assertTrue(alerts.get(0).get("error").asText().contains("holds no complete backup"), alerts.get(0).toString());
        assertEquals(4, TwoRegions.s3(TwoRegions.SECONDARY).listObjectsV2(b -> b.bucket(DrDrillTestResource.replicaBucket)
                .prefix("reports/dr-drill/")).keyCount(), "both drills' reports (JSON and text)");
    }

    @Test
    void aPayloadIsRefused() {
        Response r = MockLambda.invoke("{\"backupId\": \"20261128T020000Z-daily\"}");
        assertTrue(r.statusCode() >= 400);
        assertTrue(r.asString().contains("dr-drill takes no parameters"), r.asString());
    }
}
