package com.taskmaster.backup.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.verify.VerifySettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static com.taskmaster.backup.infra.TemplateReader.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The functions: each names an existing handler and has the environment, sizing, timeouts and
 * concurrency its work needs; code and runtime come from parameters; async failures reach the alert topic.
 */
class FunctionsTemplateTest {
    @BeforeAll
    static void load() throws IOException {
        TemplateReader.load();
    }


    @Test
    void everyFunctionNamesAnExistingHandler() {
        Map<String, JsonNode> functions = functions();
        assertFalse(functions.isEmpty(), "no AWS::Serverless::Function in template.yaml");
        List<String> problems = new ArrayList<>();
        for (var e : functions.entrySet()) {
            String handler = handlerOf(e.getKey());
            if (handler == null) {
                problems.add(e.getKey() + ": no QUARKUS_LAMBDA_HANDLER");
            } else if (!handlersInCode.containsKey(handler)) {
                problems.add(e.getKey() + ": QUARKUS_LAMBDA_HANDLER=" + handler + " but no class in package "
                        + HANDLER_PACKAGE + " under src/main/java is annotated @Named(\"" + handler
                        + "\"); found " + handlersInCode);
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void handlersAreUniquePerFunction() {
        Map<String, String> seen = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String fn : functions().keySet()) {
            String h = handlerOf(fn);
            String other = seen.put(h, fn);
            if (h != null && other != null) {
                problems.add("handler " + h + " used by both " + other + " and " + fn);
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void everyFunctionHasTheEnvironmentItsHandlerReads() {
        List<String> problems = new ArrayList<>();
        for (String fn : functions().keySet()) {
            Map<String, JsonNode> env = environmentOf(fn);
            JsonNode dsh = env.get("DISABLE_SIGNAL_HANDLERS");
            if (dsh == null || !"true".equals(dsh.asText())) {
                problems.add(fn + ": DISABLE_SIGNAL_HANDLERS must be \"true\", is " + dsh);
            }
            Set<String> required = new TreeSet<>(COMMON_ENV);
            required.addAll(HANDLER_ENV.getOrDefault(handlerOf(fn), Set.of()));
            for (String var : required) {
                if (!env.containsKey(var) || env.get(var).isNull()) {
                    problems.add(fn + " (" + handlerOf(fn) + "): missing environment variable " + var);
                }
            }
            JsonNode repo = env.get("BACKUP_REPOSITORY");
            if (repo != null && !(asSubString(repo).startsWith("s3://") && asSubString(repo).endsWith("/backups"))) {
                problems.add(fn + ": BACKUP_REPOSITORY must be s3://<bucket>/backups, is " + repo);
            }
            JsonNode topic = env.get("BACKUP_ALERT_TOPIC");
            if (topic != null && !isRef(topic, "AlertTopic")) {
                problems.add(fn + ": BACKUP_ALERT_TOPIC must be {Ref: AlertTopic}, is " + topic);
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void backupFunctionIsConfiguredForLongSerialRuns() {
        JsonNode props = function("backup").path("Properties");
        assertEquals(1, props.path("ReservedConcurrentExecutions").asInt(-1),
                "BackupFunction must have ReservedConcurrentExecutions 1");
        assertEquals(900, props.path("Timeout").asInt(), "BackupFunction Timeout");
        assertEquals(2048, props.path("MemorySize").asInt(), "BackupFunction MemorySize");
        assertEquals(512, props.path("EphemeralStorage").path("Size").asInt(), "BackupFunction EphemeralStorage");

        Map<String, JsonNode> env = environmentOf(functionId("backup"));
        assertEquals("/opt/bin", env.get("BACKUP_PG_BIN").asText(), "BACKUP_PG_BIN");
        assertTrue(containsRef(props.path("Layers"), "PgToolsLayerArn"),
                "BackupFunction must use the PgToolsLayerArn layer (BACKUP_PG_BIN=/opt/bin)");
        assertTrue(isGetAttArn(env.get("BACKUP_KMS_KEY"), "BackupKey"), "BACKUP_KMS_KEY must be the BackupKey ARN");
        assertTrue(isRef(env.get("BACKUP_DB_SECRET_ARN"), "DatabaseSecretArn"),
                "BACKUP_DB_SECRET_ARN must be {Ref: DatabaseSecretArn}");
    }

    @Test
    void pruneFunctionRunsAloneWithTheCodesRetentionDefaults() throws IOException {
        JsonNode props = function("prune").path("Properties");
        assertEquals(1, props.path("ReservedConcurrentExecutions").asInt(-1),
                "PruneFunction must have ReservedConcurrentExecutions 1 (never two prunes at once)");
        assertEquals(900, props.path("Timeout").asInt(), "PruneFunction Timeout");
        assertFalse(props.has("Layers") || props.has("VpcConfig"), "PruneFunction needs no pg tools and no VPC");
        Map<String, JsonNode> env = environmentOf(functionId("prune"));
        for (String var : List.of("BACKUP_KMS_KEY", "BACKUP_DB_SECRET_ARN", "BACKUP_DB_URL", "BACKUP_PG_BIN")) {
            assertFalse(env.containsKey(var), "PruneFunction must not get " + var);
        }

        // Every BACKUP_RETENTION_* the template sets is {Ref: <Number parameter>} whose Default is the code's.
        Map<String, String> codeDefaults = retentionDefaultsInCode();
        assertFalse(codeDefaults.isEmpty(), "no retention*() settings with @WithDefault found in BackupConfig.java");
        List<String> problems = new ArrayList<>();
        for (var e : env.entrySet()) {
            if (!e.getKey().startsWith("BACKUP_RETENTION_")) {
                continue;
            }
            String param = e.getValue().path("Ref").asText(null);
            JsonNode p = param == null ? null : template.path("Parameters").get(param);
            if (p == null) {
                problems.add(e.getKey() + " must be {Ref: <parameter>}, is " + e.getValue());
            } else if (!codeDefaults.containsKey(e.getKey())) {
                problems.add(e.getKey() + " is not a setting of BackupConfig (" + codeDefaults.keySet() + ")");
            } else {
                if (!"Number".equals(p.path("Type").asText())) {
                    problems.add(param + " must be Type Number");
                }
                if (!codeDefaults.get(e.getKey()).equals(p.path("Default").asText())) {
                    problems.add(param + " Default " + p.path("Default").asText() + " differs from the code's default "
                            + codeDefaults.get(e.getKey()) + " for " + e.getKey());
                }
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void functionsReportAsyncFailuresToTheAlertTopic() {
        List<String> problems = new ArrayList<>();
        for (var e : functions().entrySet()) {
            JsonNode cfg = e.getValue().path("Properties").path("EventInvokeConfig");
            if (!cfg.has("MaximumRetryAttempts")) {
                problems.add(e.getKey() + ": EventInvokeConfig.MaximumRetryAttempts missing");
            }
            JsonNode onFailure = cfg.path("DestinationConfig").path("OnFailure");
            if (!"SNS".equals(onFailure.path("Type").asText()) || !isRef(onFailure.path("Destination"), "AlertTopic")) {
                problems.add(e.getKey() + ": EventInvokeConfig OnFailure must be SNS AlertTopic, is " + onFailure);
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void codeAndRuntimeAreChosenByParameters() {
        JsonNode globals = template.path("Globals").path("Function");
        assertEquals("target/function.zip", globals.path("CodeUri").asText(), "Globals CodeUri");
        assertTrue(isRef(globals.path("Runtime"), "Runtime"), "Globals Runtime must be {Ref: Runtime}");
        JsonNode handler = globals.path("Handler").path("Fn::If");
        assertEquals("native.handler", handler.path(1).asText(), "native Handler");
        assertEquals("io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest", handler.path(2).asText(),
                "JVM Handler");
        JsonNode allowed = template.path("Parameters").path("Runtime").path("AllowedValues");
        assertEquals(Set.of("provided.al2023", "java21"), textSet(allowed), "Runtime AllowedValues");
        for (var e : functions().entrySet()) {
            JsonNode p = e.getValue().path("Properties");
            assertFalse(p.has("CodeUri") || p.has("Runtime") || p.has("Handler"),
                    e.getKey() + " must not override the Globals code/runtime/handler (one artifact)");
        }
    }

    /** Verify, restore and restore-test: serial, long, with the pg tools and the settings the code reads. */
    @Test
    void recoveryFunctionsAreConfiguredForTheirWork() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String h : DECRYPT_ONLY_HANDLERS) {
            JsonNode props = function(h).path("Properties");
            Map<String, JsonNode> env = environmentOf(functionId(h));
            if (props.path("ReservedConcurrentExecutions").asInt(-1) != 1) {
                problems.add(h + ": ReservedConcurrentExecutions must be 1");
            }
            if (props.path("Timeout").asInt() != 900) {
                problems.add(h + ": Timeout must be 900");
            }
            if (props.path("MemorySize").asInt() < 2048) {
                problems.add(h + ": MemorySize must be at least 2048 (decryption, zstd and pg_restore on one stream)");
            }
            if (!containsRef(props.path("Layers"), "PgToolsLayerArn") || !"/opt/bin".equals(env.get("BACKUP_PG_BIN").asText())) {
                problems.add(h + ": needs the PgToolsLayerArn layer and BACKUP_PG_BIN=/opt/bin (pg_restore)");
            }
            if (!isGetAttArn(env.get("BACKUP_KMS_KEY"), "BackupKey")) {
                problems.add(h + ": BACKUP_KMS_KEY must be the BackupKey ARN");
            }
            if (props.path("EventInvokeConfig").path("MaximumRetryAttempts").asInt(-1) != 0) {
                problems.add(h + ": EventInvokeConfig.MaximumRetryAttempts must be 0 (no automatic re-run)");
            }
        }

        Map<String, JsonNode> verify = environmentOf(functionId("verify"));
        JsonNode replica = verify.get("BACKUP_REPLICA_REPOSITORY").path("Fn::If");
        assertEquals("HasReplication", replica.path(0).asText(), "BACKUP_REPLICA_REPOSITORY must be Fn::If [HasReplication, ...]");
        assertEquals("s3://${ReplicaBucketName}/backups", asSubString(replica.path(1)), "BACKUP_REPLICA_REPOSITORY");
        assertTrue(isRef(replica.path(2), "AWS::NoValue"), "BACKUP_REPLICA_REPOSITORY is unset without replication");
        JsonNode rpo = verify.get("BACKUP_RPO").path("Fn::If");
        assertEquals("HourlyEnabled", rpo.path(0).asText(), "BACKUP_RPO must be Fn::If [HourlyEnabled, ...]");
        assertEquals(java.time.Duration.ofHours(2), VerifySettings.duration("BACKUP_RPO", rpo.path(1).asText()), "RPO with hourly backups");
        assertEquals(java.time.Duration.ofHours(26), VerifySettings.duration("BACKUP_RPO", rpo.path(2).asText()),
                "RPO with daily backups (the NoRecentBackupAlarm window)");

        Map<String, JsonNode> restore = environmentOf(functionId("restore"));
        for (String var : List.of("BACKUP_DB_SECRET_ARN", "BACKUP_DB_URL", "BACKUP_REPLICA_REPOSITORY")) {
            if (restore.containsKey(var)) {
                problems.add("restore must not get " + var + " (its target comes from the payload only)");
            }
        }

        Map<String, JsonNode> restoreTest = environmentOf(functionId("restore-test"));
        if (!isRef(restoreTest.get("BACKUP_DB_SECRET_ARN"), "DatabaseSecretArn")) {
            problems.add("restore-test: BACKUP_DB_SECRET_ARN must be {Ref: DatabaseSecretArn} (the source it refuses)");
        }
        JsonNode server = restoreTest.get("RESTORE_TEST_DB_SECRET_ARN").path("Fn::If");
        if (!"HasRestoreTestServer".equals(server.path(0).asText()) || !isRef(server.path(1), "RestoreTestSecretArn")) {
            problems.add("restore-test: RESTORE_TEST_DB_SECRET_ARN must be Fn::If [HasRestoreTestServer, {Ref: RestoreTestSecretArn}, ...]");
        }
        String rtoParam = restoreTest.get("BACKUP_RTO").path("Ref").asText(null);
        JsonNode rto = rtoParam == null ? null : template.path("Parameters").get(rtoParam);
        if (rto == null) {
            problems.add("restore-test: BACKUP_RTO must be {Ref: <parameter>}");
        } else {
            String codeDefault = stringDefaultInCode("rto");
            VerifySettings.duration("BACKUP_RTO", rto.path("Default").asText());
            if (!rto.path("Default").asText().equals(codeDefault)) {
                problems.add(rtoParam + " Default " + rto.path("Default").asText() + " differs from the code's " + codeDefault);
            }
        }

        // The RTO alarm watches the EMF metric restore-test is to emit (see RestoreTestRtoMissedAlarm's comment).
        JsonNode alarm = template.path("Resources").path("RestoreTestRtoMissedAlarm").path("Properties");
        assertEquals(METRIC_NAMESPACE, alarm.path("Namespace").asText(), "RestoreTestRtoMissedAlarm namespace");
        assertEquals("RestoreTestRtoMet", alarm.path("MetricName").asText(), "RestoreTestRtoMissedAlarm metric");
        assertEquals(METRIC_DIMENSION, alarm.path("Dimensions").path(0).path("Name").asText());
        assertTrue(isRef(alarm.path("Dimensions").path(0).path("Value"), "DatabaseName"), "dimension value = DatabaseName");
        assertEquals("notBreaching", alarm.path("TreatMissingData").asText(), "a month without a restore test is no alarm");
        assertNoProblems(problems);
    }

    /** Every function states its memory, timeout and ephemeral storage (sized for its work, not left to defaults). */
    @Test
    void everyFunctionIsSizedExplicitly() {
        List<String> problems = new ArrayList<>();
        for (var e : functions().entrySet()) {
            JsonNode p = e.getValue().path("Properties");
            for (String field : List.of("MemorySize", "Timeout")) {
                if (!p.path(field).canConvertToInt()) {
                    problems.add(e.getKey() + ": no " + field);
                }
            }
            if (!p.path("EphemeralStorage").path("Size").canConvertToInt()) {
                problems.add(e.getKey() + ": no EphemeralStorage.Size");
            }
        }
        assertNoProblems(problems);
    }
}
