package com.taskmaster.backup.appconfig;

import com.taskmaster.backup.format.ConfigManifest;
import com.taskmaster.backup.repository.FileRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The declared baseline: how it is read from a repository and what its comparison with the live export reports. */
class ConfigBaselineTest {
    @TempDir
    Path dir;

    private static ConfigExport.Document doc(Map<String, ConfigExport.Parameter> parameters, List<String> secretParameters,
                                             List<String> secrets, Map<String, ConfigExport.Function> functions,
                                             Map<String, ConfigExport.TaskDefinition> taskDefinitions) {
        return new ConfigExport.Document(new TreeMap<>(parameters), secretParameters, secrets, new TreeMap<>(functions),
                new TreeMap<>(taskDefinitions));
    }

    private static ConfigExport.TaskDefinition task(Map<String, String> env, List<String> secretEnv, Map<String, String> refs) {
        return new ConfigExport.TaskDefinition(new TreeMap<>(Map.of("api",
                new ConfigExport.Container(new TreeMap<>(env), secretEnv, new TreeMap<>(refs)))));
    }

    private static final ConfigExport.Document BASE = doc(
            Map.of("/app/url", new ConfigExport.Parameter("String", "https://a"), "/app/hosts", new ConfigExport.Parameter("StringList", "a,b")),
            List.of("/app/db/password"), List.of("prod/db"),
            Map.of("api", new ConfigExport.Function(new TreeMap<>(Map.of("LOG_LEVEL", "info")), List.of("DB_PASSWORD"))),
            Map.of("web", task(Map.of("PORT", "8080"), List.of("API_TOKEN"), Map.of("DB_PASSWORD", "arn:secret:db"))));

    @Test
    void anIdenticalDocumentIsNoDriftAndEachKindOfDifferenceIsNamed() {
        assertTrue(ConfigBaseline.compare(BASE, BASE).none());
        ConfigExport.Document live = doc(
                Map.of("/app/url", new ConfigExport.Parameter("String", "https://b"), // value changed
                        "/app/hosts", new ConfigExport.Parameter("String", "a,b"),   // type changed
                        "/app/new", new ConfigExport.Parameter("String", "x")),      // added
                List.of(), // the SecureString is gone
                List.of("prod/db", "prod/other"), // a secret added
                Map.of("api", new ConfigExport.Function(new TreeMap<>(Map.of("LOG_LEVEL", "info", "DB_PASSWORD", "now-plain")), List.of())),
                Map.of("web", task(Map.of("PORT", "9090"), List.of("API_TOKEN"), Map.of("DB_PASSWORD", "arn:secret:other"))));
        ConfigDrift d = ConfigBaseline.compare(BASE, live);
        assertEquals(List.of("parameter /app/new", "secret prod/other"), d.added());
        assertEquals(List.of("parameter /app/db/password"), d.removed());
        assertEquals(List.of("parameter /app/hosts", "parameter /app/url", "function api: DB_PASSWORD",
                "task-definition web: api: PORT", "task-definition web: api: secret DB_PASSWORD"), d.changed(),
                "a variable that lost its secret name is a change, its value is not compared");
        assertFalse(d.describe().contains("https://b") || d.describe().contains("now-plain"), "names only");
    }

    @Test
    void aSecretAFunctionAndAFamilyGoneAreNamedWhole() {
        ConfigExport.Document live = doc(BASE.parameters(), BASE.secretParameters(), List.of(), Map.of(), Map.of());
        ConfigDrift d = ConfigBaseline.compare(BASE, live);
        assertEquals(List.of("secret prod/db", "function api", "task-definition web"), d.removed());
        assertTrue(d.added().isEmpty() && d.changed().isEmpty(), d.describe());
    }

    private FileRepository repoWith(String baseline) throws IOException {
        Path file = dir.resolve("config/baseline.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, baseline, StandardCharsets.UTF_8);
        return new FileRepository(dir);
    }

    @Test
    void theBaselineIsTheExportDocumentOrAWholeExportResultAndAbsentIsNone() throws IOException {
        assertTrue(ConfigBaseline.read(new FileRepository(dir)).isEmpty(), "no baseline");
        String document = com.taskmaster.backup.support.Json.MAPPER.writeValueAsString(BASE);
        assertEquals(BASE, ConfigBaseline.read(repoWith(document)).orElseThrow());
        String result = com.taskmaster.backup.support.Json.MAPPER.writeValueAsString(new ConfigExport.Result("20261202T150000Z-config-abcdef", BASE));
        assertEquals(BASE, ConfigBaseline.read(repoWith(result)).orElseThrow());
    }

    @Test
    void anUnusableBaselineIsRefusedWithAMessageThatSaysWhatToDo() throws IOException {
        for (String bad : List.of("", "not json", "[1, 2]", "{\"parameters\": {\"/x\": {\"type\": \"String\", \"valeu\": \"a\"}}}",
                "{\"funtcions\": {}}", "{\"secrets\": \"prod/db\"}")) {
            FileRepository repo = repoWith(bad);
            ConfigBaseline.InvalidBaselineException e = assertThrows(ConfigBaseline.InvalidBaselineException.class,
                    () -> ConfigBaseline.read(repo), bad);
            assertTrue(e.getMessage().contains("config/baseline.json") && e.getMessage().contains("config-export"), e.getMessage());
        }
    }

    @Test
    void baselineDriftJoinsTheDriftMetricAndHasItsOwnAndAnAbsentBaselineCountsNothing() {
        ConfigDrift two = new ConfigDrift(List.of("parameter /a"), List.of(), List.of("secret s"));
        ConfigDrift one = new ConfigDrift(List.of(), List.of("parameter /b"), List.of());
        ConfigManifest.Counts counts = new ConfigManifest.Counts(1, 1, 0);
        ConfigBackupResult both = new ConfigBackupResult("id", false, "prev", two, counts, 0, null, one, null, 0);
        assertEquals(3.0, both.metrics().get("ConfigDrift").value());
        assertEquals(1.0, both.metrics().get("ConfigBaselineDrift").value());
        assertTrue(both.driftMessage().contains("declared baseline config/baseline.json: added [], changed [], removed [parameter /b]"),
                both.driftMessage());

        ConfigBackupResult none = new ConfigBackupResult("id", true, "id", ConfigDrift.empty(), counts, 0, null, null, null, 5);
        assertEquals(0.0, none.metrics().get("ConfigDrift").value());
        assertEquals(0.0, none.metrics().get("ConfigBaselineDrift").value());
        assertFalse(none.drifted());

        ConfigBackupResult problem = new ConfigBackupResult("id", true, "id", ConfigDrift.empty(), counts, 0, null, null, "baseline broken", 5);
        assertTrue(problem.drifted(), "an unusable baseline is alerted");
        assertEquals("baseline broken", problem.driftMessage());
    }
}
