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
        Response r = MockLambda.invoke(event);
        r.then().statusCode(200);
        try {
            return com.taskmaster.backup.support.Json.MAPPER.readTree(r.asString());
        } catch (IOException e) {
            throw new IllegalStateException(r.asString(), e);
        }
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
        for (String secret : List.of(live.securePassword, live.secretValue, "sm-", live.envPassword)) {
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
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
