package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.appconfig.ConfigSnapshot;
import com.taskmaster.backup.appconfig.ConfigStore;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.ConfigManifest;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.testing.AppConfigFixture;
import com.taskmaster.backup.testing.ConfigBackupTestResource;
import com.taskmaster.backup.testing.MockLambda;
import com.taskmaster.backup.testing.MotoServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config-backup as Lambda invokes it, against SSM, Secrets Manager and Lambda in moto. */
@QuarkusTest
@QuarkusTestResource(value = ConfigBackupTestResource.class, restrictToAnnotatedClass = true)
class ConfigBackupHandlerTest {
    private final List<String> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (logged) {
                logged.add(r.getMessage() + " " + java.util.Arrays.toString(r.getParameters()) + " " + r.getThrown());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Repository repo;
    private AppConfigFixture live;

    @BeforeEach
    void baseline() {
        repo = new FileRepository(ConfigBackupTestResource.repository);
        for (ObjectInfo o : repo.list("")) {
            repo.delete(o.key());
        }
        live = ConfigBackupTestResource.live;
        live.reset();
        ConfigBackupTestResource.alerts.receive(0); // drain
        java.util.logging.Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapture() {
        java.util.logging.Logger.getLogger("").removeHandler(capture);
    }

    private static JsonNode invoke(String event) {
        return MockLambda.invokeJson(event);
    }


    private ConfigSnapshot stored(String snapshotId) {
        ConfigStore store = new ConfigStore(repo, Keys.openExisting("file://" + ConfigBackupTestResource.key, () -> null));
        ConfigManifest m = store.find(com.taskmaster.backup.format.BackupId.parse(snapshotId)).orElseThrow();
        return store.read(m);
    }

    @Test
    void snapshotsEverythingThenSkipsAnUnchangedConfigurationAsADuplicate() {
        JsonNode first = invoke("{}");
        assertFalse(first.get("duplicate").asBoolean(), first.toString());
        assertEquals(3, first.at("/counts/parameters").asInt(), first.toString());
        assertEquals(1, first.at("/counts/secrets").asInt());
        assertEquals(1, first.at("/counts/functions").asInt());
        String id = first.get("snapshotId").asText();
        assertTrue(id.matches("\\d{8}T\\d{6}Z-config-[a-z0-9]{6}"), id);
        assertEquals(1, repo.list(Layout.CONFIG_MANIFESTS).size());
        assertEquals(1, repo.list(Layout.CONFIG_DATA).size());
        assertTrue(repo.list(Layout.MANIFESTS).isEmpty(), "not a database backup");

        ConfigSnapshot s = stored(id);
        assertEquals(live.securePassword, s.parameters().get(live.path + "/db/password").value(), "SecureString decrypted");
        assertEquals("SecureString", s.parameters().get(live.path + "/db/password").type());
        assertEquals("StringList", s.parameters().get(live.path + "/api/allowed-origins").type());
        assertEquals(live.secretValue, s.secrets().get(live.secretName).string());
        assertTrue(s.secrets().get(live.secretName).stages().contains("AWSCURRENT"));
        assertEquals(live.baselineEnvironment(), s.functions().get(live.function).environment());
        assertEquals(1, first.get("taskDefinitions").asInt());
        assertEquals(1, first.at("/counts/taskDefinitions").asInt(), first.toString());
        assertEquals(1, new ConfigStore(repo, Keys.openExisting("file://" + ConfigBackupTestResource.key, () -> null))
                .find(com.taskmaster.backup.format.BackupId.parse(id)).orElseThrow().counts().taskDefinitions(),
                "the manifest counts the task definitions");
        var td = s.taskDefinitions().get(live.taskFamily);
        assertEquals(java.util.Set.of("api", "otel"), td.containers().keySet());
        live.baselineContainers().forEach((name, c) -> {
            assertEquals(c.environment(), td.containers().get(name).environment(), name);
            assertEquals(c.secrets(), td.containers().get(name).secrets(), name + ": the references, by valueFrom");
        });
        assertFalse(first.has("baselineDrift") || first.has("baselineProblem"), "no baseline, nothing reported: " + first);

        JsonNode second = invoke("{\"source\": \"aws.ssm\", \"detail-type\": \"Parameter Store Change\"}");
        assertTrue(second.get("duplicate").asBoolean(), second.toString());
        assertEquals(id, second.get("snapshotId").asText());
        assertEquals(1, repo.list(Layout.CONFIG_MANIFESTS).size(), "a duplicate writes nothing");
        assertEquals(1, repo.list(Layout.CONFIG_DATA).size());
        assertTrue(ConfigBackupTestResource.alerts.receive(0).isEmpty(), "no drift, no alert");
    }

    @Test
    void driftOfAnAddedAChangedAndADeletedParameterIsAlertedByNameOnly() {
        invoke("{}");
        live.put(live.path + "/api/new-flag", "on", ParameterType.STRING);
        live.put(live.path + "/db/password", "changed-" + live.securePassword, ParameterType.SECURE_STRING);
        MotoServer.get().ssm().deleteParameter(b -> b.name(live.path + "/api/base-url"));

        JsonNode r = invoke("{}");
        assertFalse(r.get("duplicate").asBoolean());
        assertEquals(List.of("parameter " + live.path + "/api/new-flag"), texts(r.at("/drift/added")));
        assertEquals(List.of("parameter " + live.path + "/db/password"), texts(r.at("/drift/changed")));
        assertEquals(List.of("parameter " + live.path + "/api/base-url"), texts(r.at("/drift/removed")));
        assertEquals(2, repo.list(Layout.CONFIG_MANIFESTS).size());

        List<JsonNode> alerts = ConfigBackupTestResource.alerts.receive(1);
        assertEquals(1, alerts.size(), alerts.toString());
        JsonNode alert = alerts.get(0);
        assertEquals("config-backup", alert.get("handler").asText());
        assertEquals("warning", alert.get("severity").asText());
        String message = alert.get("error").asText();
        assertTrue(message.contains(live.path + "/api/new-flag") && message.contains(live.path + "/db/password")
                && message.contains(live.path + "/api/base-url"), message);
        assertFalse(alert.toString().contains(live.securePassword), "no value in the alert");
    }

    @Test
    void aRotatedSecretAndAChangedEnvironmentVariableAreDrift() {
        invoke("{}");
        MotoServer.get().secrets().putSecretValue(b -> b.secretId(live.secretName).secretString("{\"password\":\"rotated-x\"}"));
        java.util.Map<String, String> env = new java.util.HashMap<>(live.baselineEnvironment());
        env.put("DB_PASSWORD", "rotated-env");
        MotoServer.get().lambda().updateFunctionConfiguration(b -> b.functionName(live.function).environment(e -> e.variables(env)));

        JsonNode r = invoke("{}");
        assertEquals(List.of("secret " + live.secretName, "function " + live.function + ": DB_PASSWORD"), texts(r.at("/drift/changed")));
        assertTrue(texts(r.at("/drift/added")).isEmpty() && texts(r.at("/drift/removed")).isEmpty(), r.toString());
        assertEquals(1, ConfigBackupTestResource.alerts.receive(1).size());
    }

    @Test
    void aTaskDefinitionsChangedVariablesAndSecretReferenceAreDriftAndTheLatestActiveRevisionIsRead() {
        invoke("{}");
        var containers = new java.util.HashMap<>(live.baselineContainers());
        var env = new java.util.HashMap<>(containers.get("api").environment());
        env.put("LOG_LEVEL", "debug");
        env.put("API_TOKEN", "rotated-" + live.taskToken);
        containers.put("api", new AppConfigFixture.TaskContainer(env, java.util.Map.of("DB_PASSWORD", live.taskSecretRef + "-v2")));
        containers.remove("otel");
        String newest = live.registerTaskDefinition(containers);

        JsonNode r = invoke("{}");
        String td = "task-definition " + live.taskFamily;
        assertEquals(List.of(td + ": api: API_TOKEN", td + ": api: LOG_LEVEL", td + ": api: secret DB_PASSWORD"),
                texts(r.at("/drift/changed")), r.toString());
        assertEquals(List.of(td + ": otel"), texts(r.at("/drift/removed")));
        String alert = ConfigBackupTestResource.alerts.receiveAllText(1);
        assertTrue(alert.contains(td + ": api: API_TOKEN"), alert);
        assertFalse(alert.contains(live.taskToken) || r.toString().contains(live.taskToken), "names only");

        // the newest revision deregistered: the latest ACTIVE one is the baseline's again
        MotoServer.get().ecs().deregisterTaskDefinition(b -> b.taskDefinition(newest));
        JsonNode back = invoke("{}");
        assertEquals(List.of(td + ": api: API_TOKEN", td + ": api: LOG_LEVEL", td + ": api: secret DB_PASSWORD"),
                texts(back.at("/drift/changed")), back.toString());
        assertEquals(List.of(td + ": otel"), texts(back.at("/drift/added")));
    }

    /** The declared baseline, uploaded as an operator would: the output of config-export (whole, or its document). */
    private void uploadBaseline(String json) throws IOException {
        Path file = ConfigBackupTestResource.repository.resolve("config/baseline.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
    }

    @Test
    void theDeclaredBaselineIsComparedOnEveryRunByNameAndSecretsByPresenceOnly() throws IOException {
        String id = invoke("{}").get("snapshotId").asText();
        ConfigStore store = new ConfigStore(repo, Keys.openExisting("file://" + ConfigBackupTestResource.key, () -> null));
        var export = new com.taskmaster.backup.appconfig.ConfigExport(store,
                new com.taskmaster.backup.appconfig.SecretNames(List.of(com.taskmaster.backup.appconfig.SecretNames.DEFAULTS.split(","))));
        uploadBaseline(com.taskmaster.backup.support.Json.MAPPER.writeValueAsString(export.run(java.util.Optional.empty())));

        JsonNode same = invoke("{}");
        assertTrue(same.get("duplicate").asBoolean(), same.toString());
        assertEquals(0, same.at("/baselineDrift/changed").size() + same.at("/baselineDrift/added").size()
                + same.at("/baselineDrift/removed").size(), same.toString());
        assertTrue(same.has("baselineDrift"), "compared: " + same);
        assertTrue(ConfigBackupTestResource.alerts.receive(0).isEmpty(), "live matches the baseline: no alert");

        // secrets change: not baseline drift (presence only); a value with a value in the baseline is
        MotoServer.get().secrets().putSecretValue(b -> b.secretId(live.secretName).secretString("{\"password\":\"rotated-" + id + "\"}"));
        live.put(live.path + "/db/password", "changed-" + live.securePassword, ParameterType.SECURE_STRING);
        live.put(live.path + "/api/base-url", "https://drifted.example.com", ParameterType.STRING);
        live.put(live.path + "/api/new-flag", "enabled", ParameterType.STRING);
        JsonNode r = invoke("{}");
        assertEquals(List.of("parameter " + live.path + "/api/base-url"), texts(r.at("/baselineDrift/changed")), r.toString());
        assertEquals(List.of("parameter " + live.path + "/api/new-flag"), texts(r.at("/baselineDrift/added")));
        assertTrue(texts(r.at("/baselineDrift/removed")).isEmpty());
        String alert = ConfigBackupTestResource.alerts.receiveAllText(1);
        assertTrue(alert.contains("declared baseline") && alert.contains(live.path + "/api/base-url"), alert);
        assertFalse(alert.contains("drifted.example.com") || alert.contains(live.securePassword), "names only: " + alert);

        // the next run, nothing changed since the snapshot: still reported, still alerted, until live matches the baseline
        JsonNode again = invoke("{}");
        assertTrue(again.get("duplicate").asBoolean());
        assertEquals(List.of("parameter " + live.path + "/api/base-url"), texts(again.at("/baselineDrift/changed")));
        assertEquals(1, ConfigBackupTestResource.alerts.receive(1).size());

        // the document alone (what an operator commits) is a baseline too
        uploadBaseline(com.taskmaster.backup.support.Json.MAPPER.writeValueAsString(export.run(java.util.Optional.empty()).document()));
        JsonNode current = invoke("{}");
        assertTrue(texts(current.at("/baselineDrift/changed")).isEmpty(), current.toString());
    }

    @Test
    void anUnusableBaselineIsAnErrorAndAnAlertButTheSnapshotIsStillTaken() throws IOException {
        for (String bad : List.of("{\"parameters\": {\"/x\": {\"type\": \"String\", \"value\": \"a\"}}", // cut short
                "{\"parameterz\": {}}", "[\"not\", \"an\", \"object\"]")) {
            for (ObjectInfo o : repo.list("")) {
                repo.delete(o.key());
            }
            uploadBaseline(bad);
            JsonNode r = invoke("{}");
            assertFalse(r.get("duplicate").asBoolean(), bad + " -> " + r);
            assertEquals(1, repo.list(Layout.CONFIG_MANIFESTS).size(), "the snapshot was taken: " + bad);
            String problem = r.get("baselineProblem").asText();
            assertTrue(problem.contains("config/baseline.json") && problem.contains("not compared"), problem);
            assertFalse(r.has("baselineDrift"), r.toString());
            String alert = ConfigBackupTestResource.alerts.receiveAllText(1);
            assertTrue(alert.contains("config/baseline.json"), alert);
        }
    }

    @Test
    void noSecretValueInAnyResultAlertLogOrStoredManifestAndNoneInTheClearInTheDataObject() throws IOException {
        StringBuilder out = new StringBuilder();
        out.append(invoke("{}"));
        live.put(live.path + "/db/password", "second-" + live.securePassword, ParameterType.SECURE_STRING);
        out.append(invoke("{}"));
        out.append(invoke("{}"));
        out.append(ConfigBackupTestResource.alerts.receiveAllText(1));
        synchronized (logged) {
            logged.forEach(out::append);
        }
        try (Stream<Path> files = Files.walk(ConfigBackupTestResource.repository)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        assertTrue(out.toString().contains(live.path + "/db/password"), "names are there");
        assertTrue(logged.stream().anyMatch(l -> l.contains("snapshot")), "the log was captured: " + logged);
        for (String secret : List.of(live.securePassword, live.secretValue, "sm-", live.envPassword, live.taskToken)) {
            assertFalse(out.toString().contains(secret), "a secret value leaked: " + secret.substring(0, 3) + "...");
        }
    }

    @Test
    void aBadPayloadIsRefusedAndWritesNothing() {
        Response r = MockLambda.invoke("{\"snapshotId\": \"x\"}");
        assertNotEquals(200, r.statusCode());
        assertTrue(r.asString().contains("config-backup takes no parameters"), r.asString());
        assertTrue(repo.list("").isEmpty());
    }

    private static List<String> texts(JsonNode array) {
        return MockLambda.texts(array);
    }
}
