package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.testing.AppConfigFixture;
import com.taskmaster.backup.testing.ConfigExportTestResource;
import com.taskmaster.backup.testing.MockLambda;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config-export as Lambda invokes it: the non-secret configuration, sorted and deterministic, never a secret value. */
@QuarkusTest
@QuarkusTestResource(value = ConfigExportTestResource.class, restrictToAnnotatedClass = true)
class ConfigExportHandlerTest {

    @Test
    void exportsTheNonSecretPartDeterministicallyAndNeverASecretValue() {
        Repository repo = new FileRepository(ConfigExportTestResource.repository);
        for (ObjectInfo o : repo.list("")) {
            repo.delete(o.key());
        }
        AppConfigFixture live = ConfigExportTestResource.live;
        live.reset();
        live.put(live.path + "/api/signing-token", "tok-plain-string-" + live.securePassword, ParameterType.STRING);
        Response none = MockLambda.invoke("{}");
        assertNotEquals(200, none.statusCode());
        assertTrue(none.asString().contains("no configuration snapshot yet"), none.asString());

        String first = live.snapshot(repo, ConfigExportTestResource.key);
        Response r = MockLambda.invoke("{}");
        r.then().statusCode(200);
        JsonNode doc = MockLambda.invokeJson("{\"snapshotId\": \"" + first + "\"}");
        assertEquals(first, doc.get("snapshotId").asText());
        JsonNode d = doc.get("document");
        assertEquals("https://api.example.com", d.at("/parameters/" + pointer(live.path + "/api/base-url") + "/value").asText());
        assertEquals("StringList", d.at("/parameters/" + pointer(live.path + "/api/allowed-origins") + "/type").asText());
        assertEquals(List.of(live.path + "/api/signing-token", live.path + "/db/password"), MockLambda.texts(d.get("secretParameters")),
                "the SecureString and the String with a secret name: names only");
        assertEquals(List.of(live.secretName), MockLambda.texts(d.get("secrets")));
        JsonNode fn = d.at("/functions/" + live.function);
        assertEquals("info", fn.at("/environment/LOG_LEVEL").asText());
        assertEquals(List.of("API_BASE_URL", "LOG_LEVEL"), List.copyOf(iterable(fn.get("environment").fieldNames())));
        assertEquals(List.of("DB_PASSWORD"), MockLambda.texts(fn.get("secretEnvironment")));
        JsonNode api = d.at("/taskDefinitions/" + live.taskFamily + "/containers/api");
        assertEquals(List.of("DB_HOST", "LOG_LEVEL"), List.copyOf(iterable(api.get("environment").fieldNames())), api.toString());
        assertEquals(List.of("API_TOKEN"), MockLambda.texts(api.get("secretEnvironment")), "a secret name: name only");
        assertEquals(live.taskSecretRef, api.at("/secrets/DB_PASSWORD").asText(), "a secret reference: where the value is read from");
        assertEquals("otlp", d.at("/taskDefinitions/" + live.taskFamily + "/containers/otel/environment/OTEL_EXPORTER").asText());
        for (String secret : List.of(live.securePassword, live.secretValue, "sm-", live.envPassword, live.taskToken)) {
            assertFalse(r.asString().contains(secret), "a secret value in the export");
        }

        // deterministic: another snapshot of the same configuration exports the same document, byte for byte
        live.put(live.path + "/api/base-url", "https://other.example.com", ParameterType.STRING);
        live.snapshot(repo, ConfigExportTestResource.key);
        live.put(live.path + "/api/base-url", "https://api.example.com", ParameterType.STRING);
        String third = live.snapshot(repo, ConfigExportTestResource.key);
        assertNotEquals(first, third);
        JsonNode newest = MockLambda.invokeJson("{}");
        assertEquals(third, newest.get("snapshotId").asText());
        assertEquals(d.toString(), newest.get("document").toString());
    }

    private static String pointer(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
