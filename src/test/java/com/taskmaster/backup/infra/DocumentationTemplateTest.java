package com.taskmaster.backup.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.backup.BackupRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static com.taskmaster.backup.infra.TemplateReader.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documentation that must follow the templates: infra/README.md's parameters table and parameter
 * groups, the deploy order, and a manual invocation with a sample event for every function.
 */
class DocumentationTemplateTest {
    private static final String INFRA_README = "infra/README.md";

    @BeforeAll
    static void load() throws IOException {
        TemplateReader.load();
    }


    /**
     * infra/README.md's parameters table is the template's Parameters: same names in the same order, the same defaults,
     * and each meaning the Description followed by the allowed values or range. On a mismatch the expected table is printed.
     */
    @Test
    void parametersTableIsTheTemplates() throws IOException {
        String readme = Files.readString(root.resolve(INFRA_README), StandardCharsets.UTF_8);
        String section = section(readme, "## Parameters of `template.yaml`");
        List<String> actual = section.lines().dropWhile(l -> !l.startsWith("| parameter |"))
                .takeWhile(l -> l.startsWith("|")).toList();
        String expected = parametersTable();
        assertEquals(expected, String.join("\n", actual) + "\n",
                () -> INFRA_README + ", section \"Parameters of `template.yaml`\", differs from template.yaml; the table to paste:\n"
                        + expected);
    }

    /** Every parameter appears in exactly one group of the console's parameter form. */
    @Test
    void everyParameterIsInOneParameterGroup() {
        Map<String, Integer> count = new LinkedHashMap<>();
        template.path("Parameters").fieldNames().forEachRemaining(n -> count.put(n, 0));
        List<String> problems = new ArrayList<>();
        for (JsonNode g : template.path("Metadata").path("AWS::CloudFormation::Interface").path("ParameterGroups")) {
            for (JsonNode n : g.path("Parameters")) {
                if (count.computeIfPresent(n.asText(), (k, c) -> c + 1) == null) {
                    problems.add("ParameterGroups name an unknown parameter " + n.asText());
                }
            }
        }
        count.forEach((n, c) -> {
            if (c != 1) {
                problems.add(n + " is in " + c + " parameter groups (expected 1)");
            }
        });
        assertNoProblems(problems);
    }

    /**
     * infra/README.md deploys in the order the design needs (secondary stack, layer, main stack, secondary stack again
     * with the key) with the native build command, and shows an {@code aws lambda invoke} of every function (by its
     * stack output) with a sample event that exists in infra/events/, every one of which is mentioned.
     */
    @Test
    void deploysInOrderAndInvokesEveryFunctionWithASampleEvent() throws IOException {
        String readme = Files.readString(root.resolve(INFRA_README), StandardCharsets.UTF_8);
        String deployment = section(readme, "## Deploy order");
        int secondary = deployment.indexOf("--template-file infra/secondary.yaml");
        int layerBuild = deployment.indexOf("infra/layer/build-pg-layer.sh ");
        int layerPublish = deployment.indexOf("aws lambda publish-layer-version");
        int nativeBuild = deployment.indexOf("./mvnw -B package -Dnative");
        int main = deployment.indexOf("sam deploy --region");
        int secondaryAgain = deployment.indexOf("--template-file infra/secondary.yaml", main);
        // The build comes first: both stacks deploy target/function.zip (the secondary stack's dr-drill function).
        assertTrue(nativeBuild >= 0 && secondary > nativeBuild && layerBuild > secondary && layerPublish > layerBuild
                        && main > layerPublish && secondaryAgain > main,
                INFRA_README + ", Deploy order: native build, secondary stack, layer (build, publish), sam deploy, secondary stack "
                        + "again with PrimaryBackupKeyArn, in this order");
        assertTrue(deployment.substring(secondaryAgain).contains("PrimaryBackupKeyArn="),
                "the second secondary-stack deployment passes PrimaryBackupKeyArn");
        Matcher zip = Pattern.compile("fileb://(infra/layer/dist/pg-tools-(\\d+)-(x86_64|arm64)\\.zip)").matcher(deployment);
        assertTrue(zip.find(), INFRA_README + " publishes the zip the layer script writes: " + "infra/layer/dist/pg-tools-<major>-<arch>.zip");
        assertTrue(deployment.contains("infra/layer/build-pg-layer.sh " + zip.group(2) + " " + zip.group(3)),
                INFRA_README + " builds the layer it publishes (" + zip.group(1) + ")");

        String invoking = section(readme, "## Invoking the handlers by hand");
        Map<String, String> outputs = new LinkedHashMap<>(); // function id -> output key
        template.path("Outputs").fields().forEachRemaining(o -> {
            JsonNode v = o.getValue().path("Value");
            if (v.has("Ref") && functions().containsKey(v.path("Ref").asText())) {
                outputs.put(v.path("Ref").asText(), o.getKey());
            }
        });
        List<String> problems = new ArrayList<>();
        Set<String> events;
        try (Stream<Path> s = Files.list(root.resolve("infra/events"))) {
            events = s.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".json")).collect(Collectors.toCollection(TreeSet::new));
        }
        for (String fn : functions().keySet()) {
            String output = outputs.get(fn);
            if (output == null) {
                problems.add(fn + ": no stack output {Ref: " + fn + "} (the commands of infra/README.md read the function name from it)");
                continue;
            }
            Matcher m = Pattern.compile("aws lambda invoke [^\\n]*" + output + "[^\\n]*--payload file://infra/events/([\\w.-]+\\.json)")
                    .matcher(invoking);
            if (!m.find()) {
                problems.add(fn + ": " + INFRA_README + ", \"Invoking the handlers by hand\", has no aws lambda invoke of " + output
                        + " with --payload file://infra/events/<sample>.json");
            } else if (!events.contains(m.group(1))) {
                problems.add(fn + ": " + INFRA_README + " invokes it with infra/events/" + m.group(1) + ", which does not exist");
            }
        }
        for (String e : events) {
            JSON.readTree(root.resolve("infra/events").resolve(e).toFile()); // each sample is JSON
            if (!invoking.contains(e)) {
                problems.add("infra/events/" + e + " is not mentioned in " + INFRA_README + ", \"Invoking the handlers by hand\"");
            }
        }
        assertNoProblems(problems);
        // The backup samples are what the code accepts: a manual run with a label, and a scheduled run.
        assertEquals("pre-migration", BackupRequest.fromEvent(sampleEvent("infra/events/backup-manual.json")).label());
        assertTrue(BackupRequest.fromEvent(sampleEvent("infra/events/backup-scheduled.json")).trigger().isScheduled(),
                "infra/events/backup-scheduled.json must be a scheduled run");
    }

    /**
     * Every setting the code reads (BackupConfig: {@code BACKUP_*}, {@code RESTORE_TEST_*}) is documented in the README's
     * configuration table, and the table documents no setting the code does not read.
     */
    @Test
    void everySettingTheCodeReadsIsInTheReadmesConfigurationTable() throws IOException {
        String config = stripComments(Files.readString(
                root.resolve("src/main/java/com/taskmaster/backup/config/BackupConfig.java"), StandardCharsets.UTF_8));
        int nested = config.indexOf("interface RestoreTest");
        assertTrue(nested > 0, "BackupConfig.RestoreTest not found");
        Set<String> inCode = new TreeSet<>();
        Matcher m = Pattern.compile("\\b(\\w+)\\(\\);").matcher(config);
        while (m.find()) {
            String kebab = m.group(1).replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
            inCode.add((m.start() > nested ? "RESTORE_TEST_" : "BACKUP_") + kebab);
        }
        assertTrue(inCode.contains("BACKUP_DB_URL") && inCode.contains("RESTORE_TEST_SMOKE_QUERIES"), inCode.toString());
        String table = section(Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8), "## Configuration");
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `((?:BACKUP|RESTORE_TEST)_\\w+)` \\|").matcher(table);
        while (row.find()) {
            documented.add(row.group(1));
        }
        Set<String> missing = new TreeSet<>(inCode);
        missing.removeAll(documented);
        Set<String> stale = new TreeSet<>(documented);
        stale.removeAll(inCode);
        assertTrue(missing.isEmpty() && stale.isEmpty(), "README.md, Configuration: settings the code reads but the table lacks "
                + missing + "; rows the code does not read " + stale);
    }
}
