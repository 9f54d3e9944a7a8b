package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.testing.AppConfigFixture;
import com.taskmaster.backup.testing.ConfigRestoreTestResource;
import com.taskmaster.backup.testing.MockLambda;
import com.taskmaster.backup.testing.MotoServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config-restore as Lambda invokes it: dry run (names only), confirmed write-back, refused payloads; moto's SSM, Secrets Manager, Lambda. */
@QuarkusTest
@QuarkusTestResource(value = ConfigRestoreTestResource.class, restrictToAnnotatedClass = true)
class ConfigRestoreHandlerTest {
    private AppConfigFixture live;
    private String snapshotId;

    @BeforeEach
    void snapshotOfTheBaseline() {
        Repository repo = new FileRepository(ConfigRestoreTestResource.repository);
        for (ObjectInfo o : repo.list("")) {
            repo.delete(o.key());
        }
        live = ConfigRestoreTestResource.live;
        live.reset();
        snapshotId = live.snapshot(repo, ConfigRestoreTestResource.key);
        ConfigRestoreTestResource.alerts.receive(0);
    }

    /** Deletes a parameter, changes another, rotates the secret, changes and adds environment variables, adds a parameter. */
    private void breakTheConfiguration() {
        MotoServer moto = MotoServer.get();
        moto.ssm().deleteParameter(b -> b.name(live.path + "/db/password"));
        live.put(live.path + "/api/base-url", "https://wrong.example.com", ParameterType.STRING);
        live.put(live.path + "/api/extra", "x", ParameterType.STRING);
        moto.secrets().putSecretValue(b -> b.secretId(live.secretName).secretString("{\"password\":\"broken\"}"));
        Map<String, String> env = new HashMap<>(live.baselineEnvironment());
        env.put("LOG_LEVEL", "debug");
        env.put("EXTRA", "1");
        moto.lambda().updateFunctionConfiguration(b -> b.functionName(live.function).environment(e -> e.variables(env)));
    }

    private static JsonNode invoke(String event) {
        return MockLambda.invokeJson(event);
    }


    private String parameter(String name) {
        return MotoServer.get().ssm().getParameter(b -> b.name(live.path + name).withDecryption(true)).parameter().value();
    }

    private Map<String, String> environment() {
        return MotoServer.get().lambda().getFunctionConfiguration(b -> b.functionName(live.function)).environment().variables();
    }

    @Test
    void aDryRunByDefaultNamesWhatWouldChangeWithoutAnyValueAndWritesNothing() {
        breakTheConfiguration();
        Response raw = MockLambda.invoke("{\"snapshotId\": \"" + snapshotId + "\"}");
        raw.then().statusCode(200);
        JsonNode r = invoke("{\"snapshotId\": \"" + snapshotId + "\"}");
        assertTrue(r.get("dryRun").asBoolean());
        assertEquals(snapshotId, r.get("confirmWith").asText());
        assertEquals(List.of("parameter " + live.path + "/db/password"), texts(r.get("recreate")));
        assertEquals(List.of("parameter " + live.path + "/api/base-url", "secret " + live.secretName,
                "function " + live.function + ": LOG_LEVEL"), texts(r.get("rewrite")));
        assertEquals(List.of("parameter " + live.path + "/api/extra", "function " + live.function + ": EXTRA"), texts(r.get("leftAsIs")));
        assertTrue(texts(r.get("delete")).isEmpty());
        assertThrows(ParameterNotFoundException.class, () -> parameter("/db/password"), "nothing written");
        assertEquals("https://wrong.example.com", parameter("/api/base-url"));
        for (String secret : List.of(live.securePassword, live.secretValue, live.envPassword, "sm-", "broken")) {
            assertFalse(raw.asString().contains(secret), "no value in the result");
        }
    }

    @Test
    void confirmedItWritesTheSnapshotBackAndRecreatesADeletedParameterButDeletesOnlyWhenAsked() {
        breakTheConfiguration();
        JsonNode r = invoke("{\"snapshotId\": \"" + snapshotId + "\", \"confirm\": \"" + snapshotId + "\"}");
        assertFalse(r.get("dryRun").asBoolean(), r.toString());
        assertEquals(live.securePassword, parameter("/db/password"), "recreated, decrypted value as it was");
        assertEquals("SecureString", MotoServer.get().ssm().getParameter(b -> b.name(live.path + "/db/password")).parameter().typeAsString());
        assertEquals("https://api.example.com", parameter("/api/base-url"));
        assertEquals(2L, MotoServer.get().ssm().getParameter(b -> b.name(live.path + "/api/base-url")).parameter().version() - 1,
                "a new version (1: baseline, 2: broken, 3: restored)");
        assertEquals(live.secretValue, MotoServer.get().secrets().getSecretValue(b -> b.secretId(live.secretName)).secretString());
        Map<String, String> expected = new HashMap<>(live.baselineEnvironment());
        expected.put("EXTRA", "1");
        assertEquals(expected, environment(), "restored, the extra variable kept");
        assertEquals("x", parameter("/api/extra"), "kept without deleteMissing");

        JsonNode again = invoke("{\"confirm\": \"" + snapshotId + "\", \"deleteMissing\": true}");
        assertEquals(List.of("parameter " + live.path + "/api/extra", "function " + live.function + ": EXTRA"), texts(again.get("delete")));
        assertThrows(ParameterNotFoundException.class, () -> parameter("/api/extra"));
        assertEquals(live.baselineEnvironment(), environment());

        JsonNode nothingLeft = invoke("{\"snapshotId\": \"" + snapshotId + "\"}");
        assertTrue(texts(nothingLeft.get("recreate")).isEmpty() && texts(nothingLeft.get("rewrite")).isEmpty()
                && texts(nothingLeft.get("leftAsIs")).isEmpty(), nothingLeft.toString());
    }

    @Test
    void aTaskDefinitionIsRestoredAsANewRevisionThatCarriesOverEveryOtherField() {
        var ecs = MotoServer.get().ecs();
        Map<String, AppConfigFixture.TaskContainer> broken = new HashMap<>(live.baselineContainers());
        Map<String, String> env = new HashMap<>(broken.get("api").environment());
        env.put("LOG_LEVEL", "debug");
        env.remove("DB_HOST");
        env.put("EXTRA", "1");
        broken.put("api", new AppConfigFixture.TaskContainer(env, Map.of("DB_PASSWORD", live.taskSecretRef + "-old")));
        String brokenArn = live.registerTaskDefinition(broken);
        var before = ecs.describeTaskDefinition(b -> b.taskDefinition(brokenArn).include(TaskDefinitionField.TAGS));

        JsonNode dry = invoke("{\"snapshotId\": \"" + snapshotId + "\"}");
        String td = "task-definition " + live.taskFamily + ": api: ";
        assertEquals(List.of(td + "DB_HOST"), texts(dry.get("recreate")), dry.toString());
        assertEquals(List.of(td + "LOG_LEVEL", td + "secret DB_PASSWORD"), texts(dry.get("rewrite")));
        assertEquals(List.of(td + "EXTRA"), texts(dry.get("leftAsIs")));
        assertEquals(broken, live.liveContainers(), "a dry run registers nothing");
        assertFalse(dry.toString().contains(live.taskToken), "no value in the result");

        invoke("{\"confirm\": \"" + snapshotId + "\"}");
        Map<String, AppConfigFixture.TaskContainer> expected = new HashMap<>(live.baselineContainers());
        Map<String, String> kept = new HashMap<>(expected.get("api").environment());
        kept.put("EXTRA", "1");
        expected.put("api", new AppConfigFixture.TaskContainer(kept, expected.get("api").secrets()));
        assertEquals(expected, live.liveContainers(), "restored; the extra variable kept without deleteMissing");
        var after = ecs.describeTaskDefinition(b -> b.taskDefinition(live.taskFamily).include(TaskDefinitionField.TAGS));
        assertEquals(before.taskDefinition().revision() + 1, after.taskDefinition().revision(), "a new revision");
        // every other field as it was: compare the two descriptions without what differs by design
        assertEquals(withoutEnvironment(before.taskDefinition()), withoutEnvironment(after.taskDefinition()));
        assertEquals(before.tags(), after.tags());
        assertEquals("256", after.taskDefinition().cpu());
        assertEquals("awsvpc", after.taskDefinition().networkModeAsString());
        assertEquals(30, after.taskDefinition().ephemeralStorage().sizeInGiB());
        assertEquals(List.of("data"), after.taskDefinition().volumes().stream().map(v -> v.name()).toList());
        assertFalse(after.tags().isEmpty());

        invoke("{\"confirm\": \"" + snapshotId + "\", \"deleteMissing\": true}");
        assertEquals(live.baselineContainers(), live.liveContainers(), "deleteMissing removed the extra variable");
        JsonNode nothingLeft = invoke("{\"snapshotId\": \"" + snapshotId + "\"}");
        assertTrue(texts(nothingLeft.get("recreate")).isEmpty() && texts(nothingLeft.get("rewrite")).isEmpty()
                && texts(nothingLeft.get("leftAsIs")).isEmpty(), nothingLeft.toString());
    }

    /** A task definition's description without its ARN, revision, registration record and container environments. */
    private static TaskDefinition withoutEnvironment(TaskDefinition td) {
        return td.toBuilder().taskDefinitionArn(null).revision(null).registeredAt(null).registeredBy(null)
                .containerDefinitions(td.containerDefinitions().stream().map(c -> c.toBuilder().environment(List.of()).secrets(List.of()).build())
                        .toList()).build();
    }

    @Test
    void badPayloadsAreRefusedAndWriteNothing() {
        breakTheConfiguration();
        Map<String, String> refused = Map.of(
                "{\"snapshotId\": \"" + snapshotId + "\", \"confirm\": \"20200101T000000Z-config-aaaaaa\"}", "'confirm' names",
                "{\"snapshotId\": \"" + snapshotId + "\", \"force\": true}", "unknown field 'force'",
                "{\"snapshotId\": \"" + snapshotId + "\", \"at\": \"2026-12-01T00:00:00Z\"}", "not both",
                "{\"snapshotId\": \"../../etc\"}", "is not a configuration snapshot id",
                "{\"snapshotId\": \"20261128T020000Z-daily\"}", "is not a configuration snapshot id",
                "{\"snapshotId\": \"20200101T000000Z-config-aaaaaa\", \"confirm\": \"20200101T000000Z-config-aaaaaa\"}", "no configuration snapshot",
                "{\"at\": \"yesterday\"}", "invalid 'at'",
                "{\"at\": \"2000-01-01T00:00:00Z\"}", "no configuration snapshot taken at or before",
                "{\"confirm\": \"" + snapshotId + "\", \"deleteMissing\": \"yes\"}", "'deleteMissing' must be true or false",
                "[1]", "must be a JSON object");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            Response r = MockLambda.invoke(e.getKey());
            assertNotEquals(200, r.statusCode(), e.getKey());
            assertTrue(r.asString().contains(e.getValue()), e.getKey() + " -> " + r.asString());
        }
        assertThrows(ParameterNotFoundException.class, () -> parameter("/db/password"), "nothing written");
        assertEquals("https://wrong.example.com", parameter("/api/base-url"));
    }

    @Test
    void atChoosesTheNewestSnapshotTakenThenOrBefore() {
        JsonNode r = invoke("{\"at\": \"" + java.time.Instant.now().plusSeconds(5) + "\"}");
        assertEquals(snapshotId, r.get("snapshotId").asText());
        assertTrue(texts(r.get("rewrite")).isEmpty(), r.toString());
    }

    private static List<String> texts(JsonNode array) {
        return MockLambda.texts(array);
    }
}
