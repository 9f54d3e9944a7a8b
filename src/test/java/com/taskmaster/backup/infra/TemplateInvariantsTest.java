package com.taskmaster.backup.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.prune.PruneRequest;
import com.taskmaster.backup.restore.RestoreRequest;
import com.taskmaster.backup.restoretest.RestoreTestRequest;
import com.taskmaster.backup.verify.VerifyRequest;
import com.taskmaster.backup.verify.VerifySettings;

/**
 * Invariants of the deployment templates (template.yaml, infra/*.yaml) that the Java code and the
 * security design rely on, and the documentation that must follow them (README.md's parameters table, deploy
 * order and manual invocations; infra/README.md's metrics table). Plain JUnit: no Quarkus, no AWS.
 *
 * <p>
 * The templates use the long form of intrinsics (Ref:, Fn::GetAtt:, Fn::Sub:), so they are
 * plain YAML for Jackson; {@link #templatesUseLongFormIntrinsics()} keeps it that way.
 */
class TemplateInvariantsTest {

    /** Package whose classes carry the {@code @Named("<handler>")} Lambda handlers. */
    static final String HANDLER_PACKAGE = "com.taskmaster.backup.lambda";

    /** Environment every function needs. */
    static final Set<String> COMMON_ENV = Set.of("DISABLE_SIGNAL_HANDLERS", "BACKUP_REPOSITORY",
            "BACKUP_ALERT_TOPIC");

    /** Additional environment per handler (handlers not listed need only {@link #COMMON_ENV}). */
    static final Map<String, Set<String>> HANDLER_ENV = Map.of(
            "backup", Set.of("BACKUP_KMS_KEY", "BACKUP_PG_BIN", "BACKUP_DB_SECRET_ARN"),
            "list", Set.of(),
            // Optional in the code (it has defaults); the template sets them from its parameters.
            "prune", Set.of("BACKUP_RETENTION_HOURS", "BACKUP_RETENTION_DAILY_DAYS", "BACKUP_RETENTION_MONTHLY_MONTHS",
                    "BACKUP_RETENTION_KEEP_LAST", "BACKUP_RETENTION_MAX_DELETE_PERCENT"),
            // BACKUP_REPLICA_REPOSITORY is conditional (HasReplication); BACKUP_RPO follows HourlyBackups.
            "verify", Set.of("BACKUP_KMS_KEY", "BACKUP_PG_BIN", "BACKUP_REPLICA_REPOSITORY", "BACKUP_RPO"),
            "restore", Set.of("BACKUP_KMS_KEY", "BACKUP_PG_BIN"),
            // BACKUP_DB_SECRET_ARN: the source, which restore-test refuses as its server and measures.
            "restore-test", Set.of("BACKUP_KMS_KEY", "BACKUP_PG_BIN", "BACKUP_DB_SECRET_ARN", "RESTORE_TEST_DB_SECRET_ARN",
                    "RESTORE_TEST_SMOKE_QUERIES", "BACKUP_RTO"));

    /** Handlers that read backups: kms:Decrypt (with the purpose context) and DescribeKey on BackupKey, nothing else. */
    static final Set<String> DECRYPT_ONLY_HANDLERS = Set.of("verify", "restore", "restore-test");

    /** What each reading handler may write (s3:PutObject) under the backup bucket: its own records, nothing else. */
    static final Map<String, Set<String>> PUT_RESOURCES = Map.of(
            "verify", Set.of("${BackupBucket.Arn}/backups/verifications/*"),
            "restore", Set.of(),
            "restore-test", Set.of("${BackupBucket.Arn}/backups/reports/restore-test/*"));

    /** What each reading handler may read (s3:GetObject) under the backup bucket (verify also reads the replica). */
    static final Map<String, Set<String>> GET_RESOURCES = Map.of(
            "verify", Set.of("${BackupBucket.Arn}/backups/manifests/*", "${BackupBucket.Arn}/backups/data/*",
                    "${BackupBucket.Arn}/backups/verifications/*"),
            "restore", Set.of("${BackupBucket.Arn}/backups/manifests/*", "${BackupBucket.Arn}/backups/data/*"),
            "restore-test", Set.of("${BackupBucket.Arn}/backups/manifests/*", "${BackupBucket.Arn}/backups/data/*",
                    "${BackupBucket.Arn}/backups/verifications/*"));

    /** Handlers whose roles must have no access to the envelope key (BackupKey) at all. */
    static final Set<String> NO_ENVELOPE_KEY_HANDLERS = Set.of("list", "prune");

    /** What prune may delete (plain DeleteObject only), write (its audit records) and read, under the bucket. */
    static final Set<String> PRUNE_DELETE_RESOURCES = Set.of("${BackupBucket.Arn}/backups/manifests/*",
            "${BackupBucket.Arn}/backups/data/*");
    static final Set<String> PRUNE_PUT_RESOURCES = Set.of("${BackupBucket.Arn}/backups/audit/prune/*");
    /** Where prune reads S3 Object Lock state (retention, legal hold): what it may delete, nothing else. */
    static final Set<String> PRUNE_LOCK_STATE_RESOURCES = Set.of("${BackupBucket.Arn}/backups/manifests/*",
            "${BackupBucket.Arn}/backups/data/*");
    static final Set<String> PRUNE_GET_RESOURCES = Set.of("${BackupBucket.Arn}/backups/manifests/*",
            "${BackupBucket.Arn}/backups/verifications/*", "${BackupBucket.Arn}/backups/audit/prune/*");

    /** Only these handlers' roles may delete objects. */
    static final Set<String> DELETE_ALLOWED_HANDLERS = Set.of("prune");

    /** Actions that AWS does not let us scope to a resource: the only ones allowed with Resource "*". */
    static final Set<String> RESOURCE_STAR_ALLOWED_ACTIONS = Set.of(
            "cloudwatch:PutMetricData",
            "xray:PutTraceSegments", "xray:PutTelemetryRecords",
            "xray:GetSamplingRules", "xray:GetSamplingTargets",
            "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses");

    /** AWS managed policies a function role may attach. */
    static final Set<String> ALLOWED_MANAGED_POLICIES = Set.of(
            "service-role/AWSLambdaBasicExecutionRole",
            "service-role/AWSLambdaVPCAccessExecutionRole");

    /** Delete actions no function role except prune may be granted (matched against wildcards). */
    static final List<String> S3_DELETE_ACTIONS = List.of("s3:DeleteObject", "s3:DeleteObjectVersion",
            "s3:DeleteObjects", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging",
            "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration",
            "s3:BypassGovernanceRetention");

    static final String DAILY_CRON = "cron(0 2 * * ? *)";
    static final String SCHEDULED_TIME = "<aws.scheduler.scheduled-time>";

    static final String METRIC_NAMESPACE = "TaskMasterBackup";
    static final String METRIC_DIMENSION = "Database";
    static final List<String> METRICS = List.of("BackupSuccess", "BackupFailure", "BackupStoredBytes",
            "BackupPlainBytes", "BackupDuration");
    /**
     * Verify's EMF metrics, once per run (VerifySuccess or VerifyFailure, the counts, the newest backup's age):
     * the names the code emits for a passed and a failed run.
     */
    static final List<String> VERIFY_METRICS = verifyMetrics();

    private static List<String> verifyMetrics() {
        java.time.Instant now = java.time.Instant.parse("2026-11-28T04:00:00Z");
        var freshness = new com.taskmaster.backup.verify.VerifyResult.Freshness("20261128T020000Z-daily", "taskmaster",
                now.minusSeconds(7200), "PT26H", true, null);
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        names.addAll(new com.taskmaster.backup.verify.VerifyResult(List.of(), freshness, List.of(), List.of()).metrics(now).keySet());
        names.addAll(new com.taskmaster.backup.verify.VerifyResult(List.of(), freshness, List.of(), List.of("failed"))
                .metrics(now).keySet());
        assertEquals(8, names.size(), "verify's metrics: " + names);
        return List.copyOf(names);
    }
    /** Restore-test's EMF metrics, with every report. */
    static final List<String> RESTORE_TEST_METRICS = List.of("RestoreTestSuccess", "RestoreTestFailure",
            "RestoreTestRestoreSeconds", "RestoreTestEstimatedSeconds", "RestoreTestRtoSeconds", "RestoreTestRtoMet");

    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = new YAMLMapper();

    static Path root;
    static JsonNode template;
    static Map<String, JsonNode> allTemplates;
    static Map<String, String> handlersInCode;

    @BeforeAll
    static void load() throws IOException {
        root = projectRoot();
        allTemplates = new LinkedHashMap<>();
        for (Path p : templateFiles(root)) {
            allTemplates.put(root.relativize(p).toString(), YAML.readTree(p.toFile()));
        }
        template = allTemplates.get("template.yaml");
        assertNotNull(template, "template.yaml not found in " + root);
        handlersInCode = scanHandlers(root.resolve("src/main/java"));
    }

    // ------------------------------------------------------------------ functions

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

    /** BACKUP_RETENTION_X_Y -> default, from {@code @WithDefault("n") int retentionXY();} in BackupConfig. */
    static Map<String, String> retentionDefaultsInCode() throws IOException {
        String src = stripComments(Files.readString(
                root.resolve("src/main/java/com/taskmaster/backup/config/BackupConfig.java"), StandardCharsets.UTF_8));
        Matcher m = Pattern.compile("@WithDefault\\(\\s*\"([^\"]*)\"\\s*\\)\\s*\\w+\\s+(retention\\w*)\\s*\\(\\s*\\)")
                .matcher(src);
        Map<String, String> out = new LinkedHashMap<>();
        while (m.find()) {
            out.put("BACKUP_" + m.group(2).replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT),
                    m.group(1));
        }
        return out;
    }

    @Test
    void everyFunctionHasAnErrorsAlarm() {
        List<String> problems = new ArrayList<>();
        for (String fn : functions().keySet()) {
            boolean found = false;
            for (JsonNode r : resources(template).values()) {
                JsonNode p = r.path("Properties");
                if ("AWS::CloudWatch::Alarm".equals(r.path("Type").asText()) && "AWS/Lambda".equals(p.path("Namespace").asText())
                        && "Errors".equals(p.path("MetricName").asText())) {
                    for (JsonNode d : p.path("Dimensions")) {
                        found |= "FunctionName".equals(d.path("Name").asText()) && isRef(d.path("Value"), fn);
                    }
                }
            }
            if (!found) {
                problems.add(fn + ": no AWS/Lambda Errors alarm with dimension FunctionName = {Ref: " + fn + "}");
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

    // ------------------------------------------------------------------ schedules

    @Test
    void backupIsScheduledDailyAndOptionallyHourly() throws IOException {
        String backupId = functionId("backup");
        JsonNode events = template.path("Resources").path(backupId).path("Properties").path("Events");
        JsonNode daily = null;
        JsonNode hourly = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = events.fields(); it.hasNext();) {
            JsonNode ev = it.next().getValue();
            if (!"ScheduleV2".equals(ev.path("Type").asText())) {
                continue;
            }
            JsonNode input = JSON.readTree(ev.path("Properties").path("Input").asText("{}"));
            switch (input.path("schedule").asText()) {
                case "daily" -> daily = ev.path("Properties");
                case "hourly" -> hourly = ev.path("Properties");
                default -> fail("unexpected schedule input " + input);
            }
        }
        assertNotNull(daily, "BackupFunction needs a ScheduleV2 event with Input schedule=daily");
        assertNotNull(hourly, "BackupFunction needs a ScheduleV2 event with Input schedule=hourly");

        for (JsonNode s : List.of(daily, hourly)) {
            assertEquals("UTC", s.path("ScheduleExpressionTimezone").asText(), "schedule timezone");
            JsonNode input = JSON.readTree(s.path("Input").asText());
            assertEquals(SCHEDULED_TIME, input.path("scheduledTime").asText(),
                    "scheduledTime must be the Scheduler context attribute (dedup key of the backup code)");
            assertEquals(Set.of("schedule", "scheduledTime"), fieldNames(input), "Input fields");
            assertTrue(s.path("RetryPolicy").has("MaximumRetryAttempts"), "RetryPolicy.MaximumRetryAttempts");
            assertTrue(s.path("RetryPolicy").has("MaximumEventAgeInSeconds"), "RetryPolicy.MaximumEventAgeInSeconds");
            assertTrue(isGetAttArn(s.path("DeadLetterConfig").path("Arn"), "SchedulerDeadLetterQueue"),
                    "DeadLetterConfig must be the SchedulerDeadLetterQueue");
        }

        assertEquals(DAILY_CRON, daily.path("ScheduleExpression").asText(), "daily at 02:00 UTC");
        assertTrue(daily.path("State").isMissingNode() || "ENABLED".equals(daily.path("State").asText()),
                "daily schedule must always be enabled");

        // Hourly: every hour except 02 (the daily one), enabled only by HourlyBackups=true.
        Matcher m = Pattern.compile("cron\\(0 (\\S+) \\* \\* \\? \\*\\)").matcher(hourly.path("ScheduleExpression").asText());
        assertTrue(m.matches(), "hourly cron expression: " + hourly.path("ScheduleExpression"));
        Set<Integer> hours = cronHours(m.group(1));
        Set<Integer> expected = new TreeSet<>();
        for (int h = 0; h < 24; h++) {
            if (h != 2) {
                expected.add(h);
            }
        }
        assertEquals(expected, hours, "hourly schedule hours (all but 02)");
        JsonNode state = hourly.path("State").path("Fn::If");
        assertEquals("HourlyEnabled", state.path(0).asText(), "hourly State must be Fn::If [HourlyEnabled, ...]");
        assertEquals("ENABLED", state.path(1).asText());
        assertEquals("DISABLED", state.path(2).asText());
        JsonNode cond = template.path("Conditions").path("HourlyEnabled").path("Fn::Equals");
        assertTrue(isRef(cond.path(0), "HourlyBackups") && "true".equals(cond.path(1).asText()),
                "Condition HourlyEnabled must be HourlyBackups == 'true'");

        // The sample event for manual testing has the same shape.
        JsonNode sample = JSON.readTree(root.resolve("infra/events/backup-scheduled.json").toFile());
        assertEquals(Set.of("schedule", "scheduledTime"), fieldNames(sample), "infra/events/backup-scheduled.json");
    }

    /**
     * Prune runs daily, after the 02:00 backup, for real: the code treats {schedule, scheduledTime} as a
     * scheduled run and a manual {} or {"dryRun": true} as a dry run (checked with the code's own parser).
     */
    @Test
    void pruneIsScheduledDailyAfterTheBackupAndManualRunsAreDry() throws IOException {
        JsonNode events = template.path("Resources").path(functionId("prune")).path("Properties").path("Events");
        List<JsonNode> schedules = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = events.fields(); it.hasNext();) {
            JsonNode ev = it.next().getValue();
            assertEquals("ScheduleV2", ev.path("Type").asText(), "PruneFunction events must be ScheduleV2 schedules");
            schedules.add(ev.path("Properties"));
        }
        assertEquals(1, schedules.size(), "PruneFunction needs exactly one schedule");
        JsonNode s = schedules.get(0);
        assertEquals("UTC", s.path("ScheduleExpressionTimezone").asText(), "prune schedule timezone");
        Matcher m = Pattern.compile("cron\\((\\d{1,2}) (\\d{1,2}) \\* \\* \\? \\*\\)").matcher(s.path("ScheduleExpression").asText());
        assertTrue(m.matches(), "prune must run once a day at a fixed UTC time: " + s.path("ScheduleExpression"));
        Matcher daily = Pattern.compile("cron\\((\\d{1,2}) (\\d{1,2}) .*").matcher(DAILY_CRON);
        assertTrue(daily.matches());
        int pruneMinute = Integer.parseInt(m.group(2)) * 60 + Integer.parseInt(m.group(1));
        int backupMinute = Integer.parseInt(daily.group(2)) * 60 + Integer.parseInt(daily.group(1));
        assertTrue(pruneMinute >= backupMinute + 30,
                "prune must run at least 30 min after the daily backup (" + DAILY_CRON + "), runs " + s.path("ScheduleExpression"));
        assertTrue(s.path("State").isMissingNode() || "ENABLED".equals(s.path("State").asText()),
                "prune schedule must always be enabled");
        assertTrue(s.path("RetryPolicy").has("MaximumRetryAttempts"), "RetryPolicy.MaximumRetryAttempts");
        assertTrue(s.path("RetryPolicy").has("MaximumEventAgeInSeconds"), "RetryPolicy.MaximumEventAgeInSeconds");
        assertTrue(isGetAttArn(s.path("DeadLetterConfig").path("Arn"), "SchedulerDeadLetterQueue"),
                "DeadLetterConfig must be the SchedulerDeadLetterQueue");

        JsonNode input = JSON.readTree(s.path("Input").asText());
        assertEquals(Set.of("schedule", "scheduledTime"), fieldNames(input), "prune schedule Input fields");
        assertEquals(SCHEDULED_TIME, input.path("scheduledTime").asText(), "scheduledTime must be the Scheduler context attribute");
        Map<String, Object> delivered = new LinkedHashMap<>();
        delivered.put("schedule", input.path("schedule").asText());
        delivered.put("scheduledTime", "2026-11-28T03:00:00Z"); // what Scheduler substitutes
        PruneRequest scheduled = PruneRequest.fromEvent(delivered);
        assertFalse(scheduled.dryRun(), "the scheduled prune must run for real");
        assertEquals("scheduled:" + input.path("schedule").asText(), scheduled.trigger());

        // Sample events for manual runs: dry run first, then for real; {} is a dry run too.
        assertTrue(PruneRequest.fromEvent(Map.of()).dryRun(), "a manual {} must be a dry run");
        assertTrue(PruneRequest.fromEvent(sampleEvent("infra/events/prune-dry-run.json")).dryRun(),
                "infra/events/prune-dry-run.json must be a dry run");
        assertFalse(PruneRequest.fromEvent(sampleEvent("infra/events/prune-real.json")).dryRun(),
                "infra/events/prune-real.json must be a real run");
    }

    /**
     * Verify runs weekly and restore-test monthly, both after the daily backup and with inputs the code's own parsers
     * read as the usual run ({}); restore-test's schedule is enabled only once its server is configured; restore has
     * no trigger at all. The sample events in infra/events/ parse as documented.
     */
    @Test
    void verifyIsWeeklyRestoreTestMonthlyAndRestoreManualOnly() throws IOException {
        JsonNode verify = onlySchedule("verify");
        Matcher w = Pattern.compile("cron\\((\\d{1,2}) (\\d{1,2}) \\? \\* (SUN|MON|TUE|WED|THU|FRI|SAT|[1-7]) \\*\\)")
                .matcher(verify.path("ScheduleExpression").asText());
        assertTrue(w.matches(), "verify must run once a week at a fixed UTC time: " + verify.path("ScheduleExpression"));
        assertAfterDailyBackup("verify", Integer.parseInt(w.group(2)) * 60 + Integer.parseInt(w.group(1)));
        assertTrue(verify.path("State").isMissingNode() || "ENABLED".equals(verify.path("State").asText()),
                "verify schedule must always be enabled");
        assertTrue(VerifyRequest.fromEvent(delivered(verify)).backupId().isEmpty(), "the scheduled verify must be the usual run ({})");

        JsonNode restoreTest = onlySchedule("restore-test");
        Matcher mo = Pattern.compile("cron\\((\\d{1,2}) (\\d{1,2}) ([1-9]|1\\d|2[0-8]) \\* \\? \\*\\)")
                .matcher(restoreTest.path("ScheduleExpression").asText());
        assertTrue(mo.matches(), "restore-test must run once a month (day 1-28) at a fixed UTC time: "
                + restoreTest.path("ScheduleExpression"));
        assertAfterDailyBackup("restore-test", Integer.parseInt(mo.group(2)) * 60 + Integer.parseInt(mo.group(1)));
        JsonNode state = restoreTest.path("State").path("Fn::If");
        assertEquals("HasRestoreTestServer", state.path(0).asText(),
                "restore-test schedule State must be Fn::If [HasRestoreTestServer, ENABLED, DISABLED]");
        assertEquals("ENABLED", state.path(1).asText());
        assertEquals("DISABLED", state.path(2).asText());
        assertTrue(RestoreTestRequest.fromEvent(delivered(restoreTest)).backupId().isEmpty(),
                "the scheduled restore-test must be the usual run ({}: the newest verified backup)");

        JsonNode restoreEvents = function("restore").path("Properties").path("Events");
        assertTrue(restoreEvents.isMissingNode() || restoreEvents.isEmpty(), "RestoreFunction must have no events (manual only)");

        assertTrue(VerifyRequest.fromEvent(sampleEvent("infra/events/verify.json")).backupId().isEmpty(),
                "infra/events/verify.json must be the usual run");
        assertTrue(VerifyRequest.fromEvent(sampleEvent("infra/events/verify-one.json")).backupId().isPresent(),
                "infra/events/verify-one.json must name one backup");
        RestoreRequest byId = RestoreRequest.fromEvent(sampleEvent("infra/events/restore.json"));
        assertTrue(byId.backupId().isPresent() && byId.target().startsWith("arn:aws"),
                "infra/events/restore.json must restore a backup by id into a secret's database");
        RestoreRequest at = RestoreRequest.fromEvent(sampleEvent("infra/events/restore-at.json"));
        assertTrue(at.at().isPresent(), "infra/events/restore-at.json must restore by \"at\"");
        assertTrue(RestoreTestRequest.fromEvent(sampleEvent("infra/events/restore-test.json")).backupId().isEmpty(),
                "infra/events/restore-test.json must be the usual run");
    }

    static void assertAfterDailyBackup(String handler, int minuteOfDay) {
        Matcher daily = Pattern.compile("cron\\((\\d{1,2}) (\\d{1,2}) .*").matcher(DAILY_CRON);
        assertTrue(daily.matches());
        int backupMinute = Integer.parseInt(daily.group(2)) * 60 + Integer.parseInt(daily.group(1));
        assertTrue(minuteOfDay >= backupMinute + 30, handler + " must run at least 30 min after the daily backup (" + DAILY_CRON + ")");
    }

    /** The one ScheduleV2 event of a handler's function, with the common checks (UTC, retry policy, DLQ, input shape). */
    static JsonNode onlySchedule(String handler) {
        JsonNode events = function(handler).path("Properties").path("Events");
        List<JsonNode> schedules = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = events.fields(); it.hasNext();) {
            JsonNode ev = it.next().getValue();
            assertEquals("ScheduleV2", ev.path("Type").asText(), handler + ": events must be ScheduleV2 schedules");
            schedules.add(ev.path("Properties"));
        }
        assertEquals(1, schedules.size(), handler + " needs exactly one schedule");
        JsonNode s = schedules.get(0);
        assertEquals("UTC", s.path("ScheduleExpressionTimezone").asText(), handler + " schedule timezone");
        assertTrue(s.path("RetryPolicy").has("MaximumRetryAttempts"), handler + " RetryPolicy.MaximumRetryAttempts");
        assertTrue(s.path("RetryPolicy").has("MaximumEventAgeInSeconds"), handler + " RetryPolicy.MaximumEventAgeInSeconds");
        assertTrue(isGetAttArn(s.path("DeadLetterConfig").path("Arn"), "SchedulerDeadLetterQueue"),
                handler + " DeadLetterConfig must be the SchedulerDeadLetterQueue");
        try {
            JsonNode input = JSON.readTree(s.path("Input").asText());
            assertEquals(Set.of("schedule", "scheduledTime"), fieldNames(input), handler + " schedule Input fields");
            assertEquals(SCHEDULED_TIME, input.path("scheduledTime").asText(), handler + " scheduledTime");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s;
    }

    /** A schedule's Input as EventBridge Scheduler delivers it (context attribute substituted). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> delivered(JsonNode schedule) throws IOException {
        Map<String, Object> event = JSON.readValue(schedule.path("Input").asText(), Map.class);
        event.put("scheduledTime", "2026-11-29T04:00:00Z");
        return event;
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

    /** The default of {@code @WithDefault("x") String name();} in BackupConfig. */
    static String stringDefaultInCode(String name) throws IOException {
        String src = stripComments(Files.readString(
                root.resolve("src/main/java/com/taskmaster/backup/config/BackupConfig.java"), StandardCharsets.UTF_8));
        Matcher m = Pattern.compile("@WithDefault\\(\\s*\"([^\"]*)\"\\s*\\)\\s*\\w+\\s+" + name + "\\s*\\(\\s*\\)").matcher(src);
        assertTrue(m.find(), "no @WithDefault " + name + "() in BackupConfig.java");
        return m.group(1);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> sampleEvent(String path) throws IOException {
        return JSON.readValue(root.resolve(path).toFile(), Map.class);
    }

    // ------------------------------------------------------------------ IAM

    @Test
    void functionRolesAreLeastPrivilege() {
        List<String> problems = new ArrayList<>();
        for (String fn : functions().keySet()) {
            JsonNode props = function(fn).path("Properties");
            String handler = handlerOf(fn);
            if (props.has("Policies")) {
                problems.add(fn + ": use an explicit Role, not SAM Policies (they would escape these checks)");
            }
            String roleId = getAttArnTarget(props.path("Role"));
            if (roleId == null) {
                problems.add(fn + ": Role must be {Fn::GetAtt: [<Role>, Arn]} of a role in this template");
                continue;
            }
            JsonNode role = template.path("Resources").path(roleId);
            if (!"AWS::IAM::Role".equals(role.path("Type").asText())) {
                problems.add(fn + ": " + roleId + " is not an AWS::IAM::Role");
                continue;
            }
            for (JsonNode arn : flattenIf(role.path("Properties").path("ManagedPolicyArns"))) {
                String text = asSubString(arn);
                if (ALLOWED_MANAGED_POLICIES.stream().noneMatch(text::endsWith)) {
                    problems.add(fn + ": managed policy not in the allow-list: " + text);
                }
            }
            List<JsonNode> statements = statementsOfRole(roleId);
            if (statements.isEmpty()) {
                problems.add(fn + ": role " + roleId + " has no policy statements");
            }
            for (JsonNode st : statements) {
                checkStatement(fn + " (" + roleId + ")", st, DELETE_ALLOWED_HANDLERS.contains(handler), problems);
            }
        }
        assertNoProblems(problems);
    }

    /**
     * The one role that may delete: plain DeleteObject on manifests and data objects only (a delete marker; no
     * version deletion, no Object Lock bypass), writes only its audit records, reads the Object Lock state (retention,
     * legal hold, the bucket's configuration) of what it may delete, and never the envelope key.
     */
    @Test
    void pruneRoleDeletesOnlyBackupsAndWritesOnlyItsAudit() {
        String roleId = getAttArnTarget(function("prune").path("Properties").path("Role"));
        assertNotNull(roleId, "PruneFunction Role");
        List<String> problems = new ArrayList<>();
        Set<String> deleteResources = new TreeSet<>();
        Set<String> putResources = new TreeSet<>();
        Set<String> getResources = new TreeSet<>();
        Set<String> retentionResources = new TreeSet<>();
        Set<String> legalHoldResources = new TreeSet<>();
        boolean readsLockConfiguration = false;
        for (JsonNode st : statementsOfRole(roleId)) {
            if (!isAllow(st)) {
                continue;
            }
            Set<String> resources = new TreeSet<>();
            flattenIf(st.path("Resource")).forEach(r -> resources.add(asSubString(r)));
            for (String a : actionsOf(st)) {
                Pattern glob = globToRegex(a);
                for (String del : S3_DELETE_ACTIONS) {
                    if (glob.matcher(del).matches() && !del.equals("s3:DeleteObject")) {
                        problems.add("prune role: " + a + " grants " + del + " (prune needs plain s3:DeleteObject only)");
                    }
                }
                if (a.contains("*") && glob.matcher("s3:DeleteObject").matches()) {
                    problems.add("prune role: wildcard " + a + " grants s3:DeleteObject: name it exactly");
                }
                switch (a) {
                    case "s3:DeleteObject" -> deleteResources.addAll(resources);
                    case "s3:PutObject" -> putResources.addAll(resources);
                    case "s3:GetObject" -> getResources.addAll(resources);
                    case "s3:GetObjectRetention" -> retentionResources.addAll(resources);
                    case "s3:GetObjectLegalHold" -> legalHoldResources.addAll(resources);
                    case "s3:GetBucketObjectLockConfiguration" -> readsLockConfiguration |=
                            isGetAttArn(st.path("Resource"), "BackupBucket");
                    default -> {
                    }
                }
            }
            if (st.toString().contains("\"BackupKey\"")) {
                problems.add("prune role references the envelope key BackupKey: " + st);
            }
        }
        if (!PRUNE_DELETE_RESOURCES.equals(deleteResources)) {
            problems.add("prune role s3:DeleteObject on " + deleteResources + ", expected " + PRUNE_DELETE_RESOURCES);
        }
        if (!PRUNE_PUT_RESOURCES.equals(putResources)) {
            problems.add("prune role s3:PutObject on " + putResources + ", expected " + PRUNE_PUT_RESOURCES);
        }
        if (!PRUNE_GET_RESOURCES.equals(getResources)) {
            problems.add("prune role s3:GetObject on " + getResources + ", expected " + PRUNE_GET_RESOURCES);
        }
        // S3 Object Lock: prune must be able to read the lock state of everything it may delete (else it fails).
        if (!PRUNE_LOCK_STATE_RESOURCES.equals(retentionResources)) {
            problems.add("prune role s3:GetObjectRetention on " + retentionResources + ", expected " + PRUNE_LOCK_STATE_RESOURCES);
        }
        if (!PRUNE_LOCK_STATE_RESOURCES.equals(legalHoldResources)) {
            problems.add("prune role s3:GetObjectLegalHold on " + legalHoldResources + ", expected " + PRUNE_LOCK_STATE_RESOURCES);
        }
        if (!readsLockConfiguration) {
            problems.add("prune role needs s3:GetBucketObjectLockConfiguration on BackupBucket (Fn::GetAtt Arn): "
                    + "it reads the bucket's Object Lock configuration once per run");
        }

        // The bucket key: usable by prune only through S3.
        boolean bucketKeyViaS3 = false;
        for (JsonNode st : statements(template.path("Resources").path("BucketKey").path("Properties").path("KeyPolicy"))) {
            if (roleId.equals(getAttArnTarget(st.path("Principal").path("AWS")))) {
                boolean viaS3 = asSubString(st.path("Condition").path("StringEquals").path("kms:ViaService")).startsWith("s3.");
                if (!viaS3) {
                    problems.add("BucketKey: the prune role's statement must require kms:ViaService s3.<region>: " + st);
                }
                bucketKeyViaS3 |= viaS3 && actionsOf(st).containsAll(Set.of("kms:Decrypt", "kms:GenerateDataKey"));
            }
        }
        if (!bucketKeyViaS3) {
            problems.add("BucketKey policy must let the prune role kms:Decrypt and kms:GenerateDataKey via S3 "
                    + "(it reads manifests and writes its audit record)");
        }
        assertNoProblems(problems);
    }

    /**
     * Verify, restore and restore-test: read the backups, write only their own records (verify its verifications,
     * restore-test its reports, restore nothing), never delete, and use the envelope key only to decrypt (with the
     * purpose context) and describe it, in their IAM policies and in the key policy; the bucket key via S3 only.
     * Verify's access to the replica bucket is read-only.
     */
    @Test
    void recoveryRolesReadDecryptAndWriteOnlyTheirOwnRecords() {
        List<String> problems = new ArrayList<>();
        Set<String> envelopeActions = Set.of("kms:Decrypt", "kms:DescribeKey");
        for (String h : DECRYPT_ONLY_HANDLERS) {
            String roleId = getAttArnTarget(function(h).path("Properties").path("Role"));
            assertNotNull(roleId, h + " Role");
            Set<String> put = new TreeSet<>();
            Set<String> get = new TreeSet<>();
            boolean decrypts = false;
            for (JsonNode st : statementsOfRole(roleId)) {
                if (!isAllow(st)) {
                    continue;
                }
                Set<String> resources = new TreeSet<>();
                flattenIf(st.path("Resource")).forEach(r -> resources.add(asSubString(r)));
                boolean envelopeKey = flattenIf(st.path("Resource")).stream().anyMatch(r -> isGetAttArn(r, "BackupKey"));
                boolean replica = resources.stream().anyMatch(r -> r.contains("${ReplicaBucketName}"));
                for (String a : actionsOf(st)) {
                    Pattern glob = globToRegex(a);
                    for (String del : S3_DELETE_ACTIONS) {
                        if (glob.matcher(del).matches()) {
                            problems.add(h + ": " + a + " grants " + del);
                        }
                    }
                    if (glob.matcher("s3:PutObject").matches()) {
                        put.addAll(resources);
                    }
                    if (glob.matcher("s3:GetObject").matches()) {
                        resources.stream().filter(r -> r.startsWith("${BackupBucket.Arn}")).forEach(get::add);
                    }
                    if (replica && !Set.of("s3:GetObject", "s3:ListBucket").contains(a)) {
                        problems.add(h + ": the replica bucket is read-only, but " + a + " is granted on it");
                    }
                    if (envelopeKey && !envelopeActions.contains(a)) {
                        problems.add(h + ": only kms:Decrypt and kms:DescribeKey on BackupKey, not " + a);
                    }
                    if (envelopeKey && a.equals("kms:Decrypt")) {
                        decrypts = true;
                        if (!"taskmaster-backup".equals(
                                st.path("Condition").path("StringEquals").path("kms:EncryptionContext:purpose").asText())) {
                            problems.add(h + ": kms:Decrypt on BackupKey must require kms:EncryptionContext:purpose=taskmaster-backup");
                        }
                    }
                }
            }
            if (!PUT_RESOURCES.get(h).equals(put)) {
                problems.add(h + ": s3:PutObject on " + put + ", expected " + PUT_RESOURCES.get(h));
            }
            if (!GET_RESOURCES.get(h).equals(get)) {
                problems.add(h + ": s3:GetObject on " + get + ", expected " + GET_RESOURCES.get(h));
            }
            if (!decrypts) {
                problems.add(h + ": its role needs kms:Decrypt on BackupKey");
            }

            boolean keyPolicyDecrypt = false;
            for (JsonNode st : statements(template.path("Resources").path("BackupKey").path("Properties").path("KeyPolicy"))) {
                if (!roleId.equals(getAttArnTarget(st.path("Principal").path("AWS")))) {
                    continue;
                }
                for (String a : actionsOf(st)) {
                    if (!envelopeActions.contains(a)) {
                        problems.add("BackupKey policy grants " + h + "'s role " + a + " (Decrypt/DescribeKey only)");
                    }
                    if (a.equals("kms:Decrypt")) {
                        keyPolicyDecrypt = true;
                        if (!"taskmaster-backup".equals(
                                st.path("Condition").path("StringEquals").path("kms:EncryptionContext:purpose").asText())) {
                            problems.add("BackupKey policy: " + h + "'s Decrypt must require kms:EncryptionContext:purpose=taskmaster-backup");
                        }
                    }
                }
            }
            if (!keyPolicyDecrypt) {
                problems.add("BackupKey policy must let " + h + "'s role kms:Decrypt");
            }

            boolean bucketKey = false;
            for (JsonNode st : statements(template.path("Resources").path("BucketKey").path("Properties").path("KeyPolicy"))) {
                if (!roleId.equals(getAttArnTarget(st.path("Principal").path("AWS")))) {
                    continue;
                }
                if (!asSubString(st.path("Condition").path("StringEquals").path("kms:ViaService")).startsWith("s3.")) {
                    problems.add("BucketKey: " + h + "'s statement must require kms:ViaService s3.<region>: " + st);
                }
                bucketKey |= actionsOf(st).contains("kms:Decrypt")
                        && (put.isEmpty() || actionsOf(st).contains("kms:GenerateDataKey"));
            }
            if (!bucketKey) {
                problems.add("BucketKey policy must let " + h + "'s role kms:Decrypt via S3"
                        + (put.isEmpty() ? "" : " and kms:GenerateDataKey (it writes " + put + ")"));
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void noIamPolicyAnywhereGrantsServiceWildcards() {
        List<String> problems = new ArrayList<>();
        for (var t : allTemplates.entrySet()) {
            for (var r : resources(t.getValue()).entrySet()) {
                String type = r.getValue().path("Type").asText();
                JsonNode p = r.getValue().path("Properties");
                List<JsonNode> docs = new ArrayList<>();
                switch (type) {
                    case "AWS::IAM::Role" -> p.path("Policies").forEach(pol -> docs.add(pol.path("PolicyDocument")));
                    case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy" ->
                        docs.add(p.path("PolicyDocument"));
                    default -> {
                    }
                }
                for (JsonNode doc : docs) {
                    for (JsonNode st : statements(doc)) {
                        for (String a : actionsOf(st)) {
                            if (isAllow(st) && (a.equals("*") || a.endsWith(":*"))) {
                                problems.add(t.getKey() + " " + r.getKey() + ": Action " + a);
                            }
                        }
                        if (isAllow(st) && st.has("NotAction")) {
                            problems.add(t.getKey() + " " + r.getKey() + ": Allow with NotAction");
                        }
                    }
                }
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void envelopeKeyIsMultiRegionRotatedAndNotUsableByListOrPrune() {
        JsonNode key = template.path("Resources").path("BackupKey");
        assertEquals("AWS::KMS::Key", key.path("Type").asText());
        assertTrue(key.path("Properties").path("MultiRegion").asBoolean(), "BackupKey MultiRegion");
        assertTrue(key.path("Properties").path("EnableKeyRotation").asBoolean(), "BackupKey EnableKeyRotation");
        assertEquals("Retain", key.path("DeletionPolicy").asText(), "BackupKey DeletionPolicy");

        String backupRole = getAttArnTarget(function("backup").path("Properties").path("Role"));
        Map<String, String> noAccessRoles = new LinkedHashMap<>(); // role id -> function id
        for (String fn : functions().keySet()) {
            if (NO_ENVELOPE_KEY_HANDLERS.contains(handlerOf(fn))) {
                noAccessRoles.put(getAttArnTarget(function(fn).path("Properties").path("Role")), fn);
            }
        }
        assertEquals(NO_ENVELOPE_KEY_HANDLERS.size(), noAccessRoles.size(),
                "expected a function with its own role for each of " + NO_ENVELOPE_KEY_HANDLERS);
        List<String> problems = new ArrayList<>();
        boolean contextConditionSeen = false;
        for (JsonNode st : statements(key.path("Properties").path("KeyPolicy"))) {
            Set<String> actions = actionsOf(st);
            String principalRole = getAttArnTarget(st.path("Principal").path("AWS"));
            boolean usesKey = actions.stream().anyMatch(a -> a.matches("kms:(Encrypt|Decrypt|GenerateDataKey.*|ReEncrypt.*|CreateGrant|\\*)"));
            if (principalRole != null && noAccessRoles.containsKey(principalRole)) {
                problems.add(noAccessRoles.get(principalRole) + "'s role must have no access to BackupKey: " + st);
            }
            if (usesKey && principalRole == null) {
                problems.add("BackupKey use must be granted to named roles only (administrators manage, not use): " + st);
            }
            if (backupRole.equals(principalRole) && actions.contains("kms:GenerateDataKey")) {
                contextConditionSeen |= "taskmaster-backup".equals(
                        st.path("Condition").path("StringEquals").path("kms:EncryptionContext:purpose").asText());
            }
        }
        assertTrue(contextConditionSeen,
                "BackupKey: the backup role's GenerateDataKey must require kms:EncryptionContext:purpose=taskmaster-backup");
        for (var e : noAccessRoles.entrySet()) {
            for (JsonNode st : statementsOfRole(e.getKey())) {
                if (st.toString().contains("\"BackupKey\"")) {
                    problems.add(e.getValue() + "'s role references BackupKey: " + st);
                }
            }
        }
        assertNoProblems(problems);
    }

    // ------------------------------------------------------------------ buckets

    @Test
    void bucketsAreVersionedEncryptedPrivateAndTlsOnly() {
        List<String> problems = new ArrayList<>();
        int buckets = 0;
        for (var t : allTemplates.entrySet()) {
            Map<String, JsonNode> res = resources(t.getValue());
            for (var r : res.entrySet()) {
                if (!"AWS::S3::Bucket".equals(r.getValue().path("Type").asText())) {
                    continue;
                }
                buckets++;
                String where = t.getKey() + " " + r.getKey();
                JsonNode p = r.getValue().path("Properties");
                if (!"Enabled".equals(p.path("VersioningConfiguration").path("Status").asText())) {
                    problems.add(where + ": versioning not Enabled");
                }
                JsonNode sse = p.path("BucketEncryption").path("ServerSideEncryptionConfiguration");
                if (!sse.isArray() || sse.isEmpty()
                        || !Set.of("aws:kms", "AES256", "aws:kms:dsse").contains(
                                sse.path(0).path("ServerSideEncryptionByDefault").path("SSEAlgorithm").asText())) {
                    problems.add(where + ": default encryption not set");
                }
                JsonNode pab = p.path("PublicAccessBlockConfiguration");
                for (String f : List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")) {
                    if (!isTrue(pab.path(f))) {
                        problems.add(where + ": PublicAccessBlockConfiguration." + f + " is not true");
                    }
                }
                if (!"BucketOwnerEnforced".equals(p.path("OwnershipControls").path("Rules").path(0).path("ObjectOwnership").asText())) {
                    problems.add(where + ": ObjectOwnership must be BucketOwnerEnforced");
                }
                if (!hasTlsOnlyPolicy(res, r.getKey())) {
                    problems.add(where + ": no bucket policy denying aws:SecureTransport=false");
                }
            }
        }
        assertTrue(buckets >= 2, "expected the backup bucket and the replica bucket");
        assertNoProblems(problems);
    }

    @Test
    void backupBucketUsesItsOwnKmsKeyAndReplicates() {
        JsonNode p = template.path("Resources").path("BackupBucket").path("Properties");
        JsonNode sse = p.path("BucketEncryption").path("ServerSideEncryptionConfiguration").path(0);
        assertEquals("aws:kms", sse.path("ServerSideEncryptionByDefault").path("SSEAlgorithm").asText());
        assertTrue(isGetAttArn(sse.path("ServerSideEncryptionByDefault").path("KMSMasterKeyID"), "BucketKey"),
                "BackupBucket SSE-KMS key must be BucketKey");
        assertTrue(isTrue(sse.path("BucketKeyEnabled")), "BucketKeyEnabled");

        JsonNode repl = p.path("ReplicationConfiguration").path("Fn::If");
        assertEquals("HasReplication", repl.path(0).asText(), "replication is conditional on HasReplication");
        JsonNode rule = repl.path(1).path("Rules").path(0);
        assertEquals("Disabled", rule.path("DeleteMarkerReplication").path("Status").asText());
        assertEquals("Enabled", rule.path("SourceSelectionCriteria").path("SseKmsEncryptedObjects").path("Status").asText());
        JsonNode dest = rule.path("Destination");
        assertTrue(isRef(dest.path("EncryptionConfiguration").path("ReplicaKmsKeyID"), "ReplicaKmsKeyArn"));
        assertEquals(15, dest.path("ReplicationTime").path("Time").path("Minutes").asInt());
        assertEquals("Enabled", dest.path("Metrics").path("Status").asText());

        // Replication alarms use the same rule id.
        String ruleId = rule.path("Id").asText();
        for (String alarm : List.of("ReplicationFailedAlarm", "ReplicationLatencyAlarm")) {
            boolean found = false;
            for (JsonNode d : template.path("Resources").path(alarm).path("Properties").path("Dimensions")) {
                found |= "RuleId".equals(d.path("Name").asText()) && ruleId.equals(d.path("Value").asText());
            }
            assertTrue(found, alarm + " must use dimension RuleId=" + ruleId);
        }
    }

    // ------------------------------------------------------------------ alarms

    @Test
    void everyAlarmNotifiesTheAlertTopic() {
        List<String> problems = new ArrayList<>();
        int alarms = 0;
        for (var t : allTemplates.entrySet()) {
            for (var r : resources(t.getValue()).entrySet()) {
                if (!"AWS::CloudWatch::Alarm".equals(r.getValue().path("Type").asText())) {
                    continue;
                }
                alarms++;
                JsonNode actions = r.getValue().path("Properties").path("AlarmActions");
                if (!containsRef(actions, "AlertTopic")) {
                    problems.add(t.getKey() + " " + r.getKey() + ": AlarmActions must contain {Ref: AlertTopic}");
                }
            }
        }
        assertTrue(alarms > 0, "no alarms");
        assertNoProblems(problems);
    }

    @Test
    void noRecentBackupAlarmWatchesTheEmfSuccessMetricFor26Hours() throws IOException {
        JsonNode p = template.path("Resources").path("NoRecentBackupAlarm").path("Properties");
        assertEquals(METRIC_NAMESPACE, p.path("Namespace").asText());
        assertEquals("BackupSuccess", p.path("MetricName").asText());
        assertEquals(METRIC_DIMENSION, p.path("Dimensions").path(0).path("Name").asText());
        assertTrue(isRef(p.path("Dimensions").path(0).path("Value"), "DatabaseName"), "dimension value = DatabaseName");
        assertEquals("Sum", p.path("Statistic").asText());
        int period = p.path("Period").asInt();
        int evaluationPeriods = p.path("EvaluationPeriods").asInt();
        assertEquals(26 * 3600, period * evaluationPeriods, "26-hour window");
        assertTrue(period >= 3600 || period * evaluationPeriods <= 86_400,
                "CloudWatch: total evaluation range > 1 day needs a period of at least 1 hour");
        assertTrue(period * evaluationPeriods <= 604_800, "CloudWatch: evaluation range at most 7 days");
        assertEquals(evaluationPeriods, p.path("DatapointsToAlarm").asInt(evaluationPeriods),
                "all periods must be breaching (no success at all in the window)");
        assertEquals("LessThanThreshold", p.path("ComparisonOperator").asText());
        assertEquals(1, p.path("Threshold").asInt());
        assertEquals("breaching", p.path("TreatMissingData").asText());

        // Every metric of the code's EMF contract is visible somewhere (dashboard or alarm).
        String text = Files.readString(root.resolve("template.yaml"), StandardCharsets.UTF_8);
        for (String metric : METRICS) {
            assertTrue(Pattern.compile("\\b" + metric + "\\b").matcher(text).find(),
                    "metric " + metric + " not used in template.yaml");
        }
    }

    /**
     * "verify failed" as the verify code reports it, shaped like BackupFailureAlarm. Missing data must not breach:
     * verify runs weekly, so nearly every period has no data.
     */
    @Test
    void verifyFailureAlarmWatchesTheEmfFailureMetric() {
        JsonNode p = template.path("Resources").path("VerifyFailureAlarm").path("Properties");
        assertEquals(METRIC_NAMESPACE, p.path("Namespace").asText(), "VerifyFailureAlarm namespace");
        assertEquals("VerifyFailure", p.path("MetricName").asText(), "VerifyFailureAlarm metric");
        assertEquals(1, p.path("Dimensions").size(), "VerifyFailureAlarm: one dimension");
        assertEquals(METRIC_DIMENSION, p.path("Dimensions").path(0).path("Name").asText());
        assertTrue(isRef(p.path("Dimensions").path(0).path("Value"), "DatabaseName"), "dimension value = DatabaseName");
        assertEquals("Sum", p.path("Statistic").asText());
        assertEquals("GreaterThanOrEqualToThreshold", p.path("ComparisonOperator").asText());
        assertEquals(1, p.path("Threshold").asInt());
        assertEquals("notBreaching", p.path("TreatMissingData").asText(), "a week without a verify run is no alarm");
        assertTrue(containsRef(p.path("OKActions"), "AlertTopic"), "VerifyFailureAlarm OKActions");
        JsonNode name = environmentOf("VerifyFunction").get("BACKUP_DATABASE_NAME");
        assertTrue(name != null && isRef(name, "DatabaseName"),
                "verify emits under the alarm's dimension even with no backup: BACKUP_DATABASE_NAME = Ref DatabaseName");
    }

    /**
     * The dashboard plots every EMF metric of the code (namespace TaskMasterBackup, dimension Database = DatabaseName),
     * shows every alarm of the template (conditional ones through an Fn::If on their own condition), and draws the
     * RPO line at verify's BACKUP_RPO. The metrics table of infra/README.md lists the same metrics.
     */
    @Test
    void dashboardPlotsEveryEmfMetricAndShowsEveryAlarm() throws IOException {
        JsonNode sub = template.path("Resources").path("Dashboard").path("Properties").path("DashboardBody").path("Fn::Sub");
        assertTrue(sub.isArray() && sub.size() == 2, "DashboardBody must be Fn::Sub [body, variables]");
        String body = sub.path(0).asText();
        JsonNode vars = sub.path(1);

        // RPO line: the seconds of VerifyFunction's BACKUP_RPO, branch by branch.
        JsonNode rpoLine = vars.path("RpoSeconds").path("Fn::If");
        JsonNode rpo = environmentOf(functionId("verify")).get("BACKUP_RPO").path("Fn::If");
        assertEquals(rpo.path(0).asText(), rpoLine.path(0).asText(), "RpoSeconds must follow the same condition as BACKUP_RPO");
        for (int branch = 1; branch <= 2; branch++) {
            assertEquals(VerifySettings.duration("BACKUP_RPO", rpo.path(branch).asText()).toSeconds(),
                    Long.parseLong(rpoLine.path(branch).asText()), "RpoSeconds vs BACKUP_RPO, branch " + branch);
        }

        // Alarms: directly in the body, or in a variable Fn::If [<the alarm's condition>, Fn::Sub ..., ''].
        Map<String, String> conditionalAlarmText = new LinkedHashMap<>(); // condition -> text
        String resolved = body.replace("${RpoSeconds}", rpoLine.path(2).asText());
        for (Iterator<Map.Entry<String, JsonNode>> it = vars.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> v = it.next();
            JsonNode ifNode = v.getValue().path("Fn::If");
            if (!v.getKey().equals("RpoSeconds") && ifNode.isArray()) {
                conditionalAlarmText.merge(ifNode.path(0).asText(), asSubString(ifNode.path(1)), String::concat);
                assertEquals("", ifNode.path(2).asText("x"), v.getKey() + ": the false branch must be ''");
                resolved = resolved.replace("${" + v.getKey() + "}", "");
            }
        }
        JsonNode dashboard = JSON.readTree(resolved);
        List<String> problems = new ArrayList<>();
        for (var r : resources(template).entrySet()) {
            if (!"AWS::CloudWatch::Alarm".equals(r.getValue().path("Type").asText())) {
                continue;
            }
            String ref = "\"${" + r.getKey() + ".Arn}\"";
            String condition = r.getValue().path("Condition").asText(null);
            String where = condition == null ? body : conditionalAlarmText.getOrDefault(condition, "");
            if (!where.contains(ref)) {
                problems.add(r.getKey() + " is not on the dashboard's alarm panel"
                        + (condition == null ? "" : " (through a variable Fn::If [" + condition + ", ...])"));
            }
        }

        Map<String, JsonNode> plotted = new LinkedHashMap<>();
        for (JsonNode w : dashboard.path("widgets")) {
            for (JsonNode m : w.path("properties").path("metrics")) {
                if (METRIC_NAMESPACE.equals(m.path(0).asText())) {
                    plotted.put(m.path(1).asText(), m);
                    if (!METRIC_DIMENSION.equals(m.path(2).asText()) || !"${DatabaseName}".equals(m.path(3).asText())
                            || (m.size() > 4 && !m.path(4).isObject())) {
                        problems.add("dashboard: " + m + " must have exactly the dimension Database = ${DatabaseName}");
                    }
                }
            }
        }
        List<String> codeMetrics = new ArrayList<>(METRICS);
        codeMetrics.addAll(VERIFY_METRICS);
        codeMetrics.addAll(RESTORE_TEST_METRICS);
        for (String metric : codeMetrics) {
            if (!plotted.containsKey(metric)) {
                problems.add("dashboard does not plot " + METRIC_NAMESPACE + " " + metric);
            }
        }
        Set<String> unknown = new TreeSet<>(plotted.keySet());
        unknown.removeAll(codeMetrics);
        if (!unknown.isEmpty()) {
            problems.add("dashboard plots metrics the code does not emit: " + unknown);
        }

        // infra/README.md documents the same metrics.
        String doc = section(Files.readString(root.resolve("infra/README.md"), StandardCharsets.UTF_8), "**Metrics of the handlers**");
        Set<String> documented = new TreeSet<>();
        for (String line : doc.lines().filter(l -> l.startsWith("| `")).toList()) {
            Matcher m = Pattern.compile("`(\\w+)`").matcher(line.split("\\|")[1]);
            while (m.find()) {
                documented.add(m.group(1));
            }
        }
        if (!documented.equals(new TreeSet<>(codeMetrics))) {
            problems.add("infra/README.md metrics table lists " + documented + ", the code emits " + new TreeSet<>(codeMetrics));
        }
        assertNoProblems(problems);
    }

    // ------------------------------------------------------------------ documentation

    /**
     * README.md's parameters table is the template's Parameters: same names in the same order, the same defaults, and
     * each meaning the Description followed by the allowed values or range. On a mismatch the expected table is printed.
     */
    @Test
    void readmeParametersTableIsTheTemplates() throws IOException {
        String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
        String section = section(readme, "### Parameters of `template.yaml`");
        List<String> actual = section.lines().dropWhile(l -> !l.startsWith("| parameter |"))
                .takeWhile(l -> l.startsWith("|")).toList();
        String expected = parametersTable();
        assertEquals(expected, String.join("\n", actual) + "\n",
                () -> "README.md, section \"Parameters of `template.yaml`\", differs from template.yaml; the table to paste:\n"
                        + expected);
    }

    /** The table README.md must show: | `Name` | default | description, allowed values or range |. */
    static String parametersTable() {
        StringBuilder table = new StringBuilder("| parameter | default | meaning |\n| --- | --- | --- |\n");
        template.path("Parameters").fields().forEachRemaining(e -> {
            JsonNode p = e.getValue();
            String value = p.path("Default").asText();
            String def = !p.has("Default") ? "**required**" : value.isEmpty() ? "empty" : "`" + value + "`";
            StringBuilder meaning = new StringBuilder(p.path("Description").asText("").trim().replaceAll("\\s+", " "));
            if (p.has("AllowedValues")) {
                List<String> values = new ArrayList<>();
                p.path("AllowedValues").forEach(v -> values.add("`" + v.asText() + "`"));
                meaning.append(" One of ").append(String.join(", ", values)).append('.');
            }
            if (p.has("MinValue") && p.has("MaxValue")) {
                meaning.append(" Range ").append(p.path("MinValue").asText()).append('–').append(p.path("MaxValue").asText()).append('.');
            } else if (p.has("MinValue")) {
                meaning.append(" At least ").append(p.path("MinValue").asText()).append('.');
            } else if (p.has("MaxValue")) {
                meaning.append(" At most ").append(p.path("MaxValue").asText()).append('.');
            }
            table.append("| `").append(e.getKey()).append("` | ").append(def).append(" | ")
                    .append(meaning.toString().trim().replace("|", "\\|")).append(" |\n");
        });
        return table.toString();
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
     * README.md deploys in the order the design needs (secondary stack, layer, main stack, secondary stack again
     * with the key) with the native build command, and shows an {@code aws lambda invoke} of every function (by its
     * stack output) with a sample event that exists in infra/events/, every one of which is mentioned.
     */
    @Test
    void readmeDeploysInOrderAndInvokesEveryFunctionWithASampleEvent() throws IOException {
        String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
        String deployment = section(readme, "## Deployment");
        int secondary = deployment.indexOf("--template-file infra/secondary.yaml");
        int layerBuild = deployment.indexOf("infra/layer/build-pg-layer.sh ");
        int layerPublish = deployment.indexOf("aws lambda publish-layer-version");
        int nativeBuild = deployment.indexOf("./mvnw -B package -Dnative");
        int main = deployment.indexOf("sam deploy ");
        int secondaryAgain = deployment.indexOf("--template-file infra/secondary.yaml", main);
        assertTrue(secondary >= 0 && layerBuild > secondary && layerPublish > layerBuild && nativeBuild > layerPublish
                        && main > nativeBuild && secondaryAgain > main,
                "README.md, Deployment: secondary stack, layer (build, publish), native build, sam deploy, secondary stack "
                        + "again with PrimaryBackupKeyArn, in this order");
        assertTrue(deployment.substring(secondaryAgain).contains("PrimaryBackupKeyArn="),
                "the second secondary-stack deployment passes PrimaryBackupKeyArn");
        Matcher zip = Pattern.compile("fileb://(infra/layer/dist/pg-tools-(\\d+)-(x86_64|arm64)\\.zip)").matcher(deployment);
        assertTrue(zip.find(), "README.md publishes the zip the layer script writes: " + "infra/layer/dist/pg-tools-<major>-<arch>.zip");
        assertTrue(deployment.contains("infra/layer/build-pg-layer.sh " + zip.group(2) + " " + zip.group(3)),
                "README.md builds the layer it publishes (" + zip.group(1) + ")");

        String invoking = section(readme, "### Invoking the handlers by hand");
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
                problems.add(fn + ": no stack output {Ref: " + fn + "} (the README's commands read the function name from it)");
                continue;
            }
            Matcher m = Pattern.compile("aws lambda invoke [^\\n]*" + output + "[^\\n]*--payload file://infra/events/([\\w.-]+\\.json)")
                    .matcher(invoking);
            if (!m.find()) {
                problems.add(fn + ": README.md, \"Invoking the handlers by hand\", has no aws lambda invoke of " + output
                        + " with --payload file://infra/events/<sample>.json");
            } else if (!events.contains(m.group(1))) {
                problems.add(fn + ": README.md invokes it with infra/events/" + m.group(1) + ", which does not exist");
            }
        }
        for (String e : events) {
            JSON.readTree(root.resolve("infra/events").resolve(e).toFile()); // each sample is JSON
            if (!invoking.contains(e)) {
                problems.add("infra/events/" + e + " is not mentioned in README.md, \"Invoking the handlers by hand\"");
            }
        }
        assertNoProblems(problems);
        // The backup samples are what the code accepts: a manual run with a label, and a scheduled run.
        assertEquals("pre-migration", BackupRequest.fromEvent(sampleEvent("infra/events/backup-manual.json")).label());
        assertTrue(BackupRequest.fromEvent(sampleEvent("infra/events/backup-scheduled.json")).trigger().isScheduled(),
                "infra/events/backup-scheduled.json must be a scheduled run");
    }

    /**
     * The layer build script cannot run here (it needs Docker): it parses, refuses bad arguments before touching
     * anything, and writes the zip name that the READMEs publish.
     */
    @Test
    void layerBuildScriptIsCheckedStatically() throws IOException, InterruptedException {
        Path script = root.resolve("infra/layer/build-pg-layer.sh");
        assertTrue(Files.isExecutable(script), script + " must be executable");
        assertEquals(0, run(List.of("bash", "-n", script.toString())), "bash -n " + script);
        assertEquals(2, run(List.of(script.toString(), "not-a-version")), "usage error (exit 2) for a bad major version");
        assertEquals(2, run(List.of(script.toString(), "16", "sparc")), "usage error (exit 2) for a bad architecture");
        String text = Files.readString(script, StandardCharsets.UTF_8);
        assertTrue(text.contains("ZIP_NAME=\"pg-tools-${PG_MAJOR}-${ARCH}.zip\"") && text.contains("DIST_DIR=\"$SCRIPT_DIR/dist\""),
                "the script writes infra/layer/dist/pg-tools-<major>-<arch>.zip, as the READMEs publish it");
    }

    static int run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        if (!p.waitFor(1, java.util.concurrent.TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish within a minute");
        }
        return p.exitValue();
    }

    /**
     * The text from a heading (or any marker) to the next heading of the same or a higher level (any heading after a
     * marker), not counting {@code #} lines inside fenced code blocks.
     */
    static String section(String markdown, String heading) {
        int start = markdown.indexOf(heading);
        assertTrue(start >= 0, "section " + heading + " not found");
        int level = heading.startsWith("#") ? heading.indexOf(' ') : 6;
        Pattern next = Pattern.compile("#{1," + level + "} .*");
        StringBuilder out = new StringBuilder();
        boolean fenced = false;
        boolean first = true;
        for (String line : markdown.substring(start).split("\n", -1)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
            }
            if (!first && !fenced && next.matcher(line).matches()) {
                break;
            }
            first = false;
            out.append(line).append('\n');
        }
        return out.toString();
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

    // ------------------------------------------------------------------ hygiene

    @Test
    void templatesUseLongFormIntrinsics() throws IOException {
        Pattern shortForm = Pattern.compile("(^|[\\s:\\[,-])!(Ref|Sub|GetAtt|If|Join|Select|Split|Equals|Not|And|Or"
                + "|FindInMap|ImportValue|Base64|Cidr|GetAZs|Condition|Transform)\\b");
        List<String> problems = new ArrayList<>();
        for (Path p : templateFiles(root)) {
            List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String code = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
                if (shortForm.matcher(code).find()) {
                    problems.add(root.relativize(p) + ":" + (i + 1) + ": short-form intrinsic (use Ref:/Fn::...): " + line.trim());
                }
                if (code.matches(".*(^|\\s)[&*][A-Za-z].*") && !code.contains("'") && !code.contains("\"")) {
                    problems.add(root.relativize(p) + ":" + (i + 1) + ": YAML anchor/alias: " + line.trim());
                }
            }
        }
        assertNoProblems(problems);
    }

    // ------------------------------------------------------------------ cfn-lint

    /**
     * Runs {@code cfn-lint template.yaml infra/*.yaml} (it also applies the SAM transform). Warnings
     * fail too: cfn-lint exits non-zero on warnings; justified exceptions belong in the template's
     * {@code Metadata: cfn-lint: config: ignore_checks}.
     */
    @Test
    void cfnLintIsClean() throws IOException, InterruptedException {
        Path cfnLint = findCfnLint();
        if (cfnLint == null) {
            fail("cfn-lint not found on PATH, in ~/.pyenv/shims or ~/.local/bin: pip install cfn-lint");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(cfnLint.toString());
        for (Path p : templateFiles(root)) {
            cmd.add(root.relativize(p).toString());
        }
        Process process = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("cfn-lint did not finish within 5 minutes:\n" + output);
        }
        assertEquals(0, process.exitValue(), () -> String.join(" ", cmd) + " failed:\n" + output);
    }

    static Path findCfnLint() {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isBlank()) {
                    candidates.add(Path.of(dir, "cfn-lint"));
                }
            }
        }
        String home = System.getProperty("user.home");
        candidates.add(Path.of(home, ".pyenv", "shims", "cfn-lint"));
        candidates.add(Path.of(home, ".local", "bin", "cfn-lint"));
        for (Path c : candidates) {
            if (Files.isRegularFile(c) && Files.isExecutable(c)) {
                return c;
            }
        }
        return null;
    }

    // ================================================================== helpers

    static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("template.yaml"))) {
            p = p.getParent();
        }
        assertNotNull(p, "template.yaml not found from " + Path.of("").toAbsolutePath());
        return p;
    }

    static List<Path> templateFiles(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("template.yaml"));
        Path infra = root.resolve("infra");
        if (Files.isDirectory(infra)) {
            try (Stream<Path> s = Files.list(infra)) {
                s.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    /** handler name -> file, for classes in {@link #HANDLER_PACKAGE} annotated {@code @Named("...")}. */
    static Map<String, String> scanHandlers(Path srcMain) throws IOException {
        Map<String, String> handlers = new LinkedHashMap<>();
        if (!Files.isDirectory(srcMain)) {
            return handlers;
        }
        Pattern pkg = Pattern.compile("^\\s*package\\s+" + Pattern.quote(HANDLER_PACKAGE) + "\\s*;", Pattern.MULTILINE);
        // @Named("x") (or jakarta.inject.Named / value = "x"), possibly followed by other annotations
        // and modifiers, directly on a class or record declaration.
        Pattern named = Pattern.compile("@(?:jakarta\\.inject\\.|javax\\.inject\\.)?Named\\s*\\(\\s*(?:value\\s*=\\s*)?\"([^\"]+)\"\\s*\\)"
                + "(?:\\s*@[\\w.]+(?:\\s*\\([^)]*\\))?)*"
                + "\\s*(?:(?:public|protected|private|final|abstract|static|sealed|non-sealed)\\s+)*(?:class|record)\\s");
        try (Stream<Path> files = Files.walk(srcMain)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")).collect(Collectors.toList())) {
                String src = stripComments(Files.readString(f, StandardCharsets.UTF_8));
                if (!pkg.matcher(src).find()) {
                    continue;
                }
                Matcher m = named.matcher(src);
                while (m.find()) {
                    handlers.put(m.group(1), srcMain.relativize(f).toString());
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return handlers;
    }

    static String stripComments(String src) {
        return src.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)//.*$", "");
    }

    static Map<String, JsonNode> resources(JsonNode tpl) {
        Map<String, JsonNode> res = new LinkedHashMap<>();
        tpl.path("Resources").fields().forEachRemaining(e -> res.put(e.getKey(), e.getValue()));
        return res;
    }

    static Map<String, JsonNode> functions() {
        Map<String, JsonNode> fns = new LinkedHashMap<>();
        resources(template).forEach((k, v) -> {
            if ("AWS::Serverless::Function".equals(v.path("Type").asText())) {
                fns.put(k, v);
            }
        });
        return fns;
    }

    static JsonNode function(String idOrHandler) {
        JsonNode fn = functions().get(idOrHandler);
        return fn != null ? fn : functions().get(functionId(idOrHandler));
    }

    static String functionId(String handler) {
        for (String id : functions().keySet()) {
            if (handler.equals(handlerOf(id))) {
                return id;
            }
        }
        fail("no function with QUARKUS_LAMBDA_HANDLER=" + handler);
        return null;
    }

    /** Globals.Function.Environment.Variables merged with the function's own (SAM semantics). */
    static Map<String, JsonNode> environmentOf(String fnId) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        template.path("Globals").path("Function").path("Environment").path("Variables").fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue()));
        template.path("Resources").path(fnId).path("Properties").path("Environment").path("Variables").fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue()));
        return env;
    }

    static String handlerOf(String fnId) {
        JsonNode h = environmentOf(fnId).get("QUARKUS_LAMBDA_HANDLER");
        return h == null || !h.isTextual() ? null : h.asText();
    }

    /** All statements attached to a role: inline Policies and AWS::IAM::Policy/RolePolicy/ManagedPolicy naming it. */
    static List<JsonNode> statementsOfRole(String roleId) {
        List<JsonNode> out = new ArrayList<>();
        Map<String, JsonNode> res = resources(template);
        JsonNode role = res.get(roleId);
        if (role == null) {
            return out;
        }
        for (JsonNode pol : flattenIf(role.path("Properties").path("Policies"))) {
            out.addAll(statements(pol.path("PolicyDocument")));
        }
        for (JsonNode r : res.values()) {
            String type = r.path("Type").asText();
            JsonNode p = r.path("Properties");
            boolean attached = switch (type) {
                case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy" -> containsRef(p.path("Roles"), roleId);
                case "AWS::IAM::RolePolicy" -> isRef(p.path("RoleName"), roleId);
                default -> false;
            };
            if (attached) {
                out.addAll(statements(p.path("PolicyDocument")));
            }
        }
        return out;
    }

    @Test
    void operatorsMayOnlyDecryptTheBucketKeyThroughS3AndNeverUseTheEnvelopeKey() {
        JsonNode operators = null;
        for (JsonNode st : template.path("Resources").path("BucketKey").path("Properties").path("KeyPolicy").path("Statement")) {
            if ("HasOperatorRoles".equals(st.path("Fn::If").path(0).asText())) {
                operators = st.path("Fn::If").path(1);
            }
        }
        assertNotNull(operators, "BucketKey policy: a statement for OperatorRoleArns under condition HasOperatorRoles");
        assertEquals(Set.of("kms:Decrypt"), actionsOf(operators));
        assertTrue(asSubString(operators.path("Condition").path("StringEquals").path("kms:ViaService")).startsWith("s3."),
                "operators decrypt through S3 only: " + operators);
        assertFalse(template.path("Resources").path("BackupKey").toString().contains("OperatorRoleArns"),
                "operators get no access to the envelope key");
    }

    static List<JsonNode> statements(JsonNode policyDocument) {
        JsonNode st = policyDocument.path("Statement");
        return st.isArray() ? flattenIf(st) : flattenIf(JSON.createArrayNode().add(st));
    }

    /** Expands Fn::If (both branches) in a list or a single value, dropping AWS::NoValue. */
    static List<JsonNode> flattenIf(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node == null || node.isMissingNode() || node.isNull() || isRef(node, "AWS::NoValue")) {
            return out;
        }
        if (node.isArray()) {
            node.forEach(n -> out.addAll(flattenIf(n)));
        } else if (node.isObject() && node.size() == 1 && node.has("Fn::If")) {
            out.addAll(flattenIf(node.path("Fn::If").path(1)));
            out.addAll(flattenIf(node.path("Fn::If").path(2)));
        } else {
            out.add(node);
        }
        return out;
    }

    static void checkStatement(String where, JsonNode st, boolean deleteAllowed, List<String> problems) {
        if (!isAllow(st)) {
            return;
        }
        if (st.has("NotAction") || st.has("NotResource")) {
            problems.add(where + ": Allow with NotAction/NotResource: " + st);
        }
        Set<String> actions = actionsOf(st);
        for (String a : actions) {
            if (a.equals("*") || a.endsWith(":*")) {
                problems.add(where + ": wildcard action " + a);
            }
            if (!deleteAllowed) {
                Pattern glob = globToRegex(a);
                for (String del : S3_DELETE_ACTIONS) {
                    if (glob.matcher(del).matches()) {
                        problems.add(where + ": " + a + " grants " + del + " (only " + DELETE_ALLOWED_HANDLERS + " may)");
                    }
                }
            }
        }
        for (JsonNode r : flattenIf(st.path("Resource"))) {
            if (r.isTextual() && r.asText().equals("*")) {
                Set<String> notAllowed = new TreeSet<>(actions);
                notAllowed.removeAll(RESOURCE_STAR_ALLOWED_ACTIONS);
                if (!notAllowed.isEmpty()) {
                    problems.add(where + ": Resource \"*\" for actions that can be scoped: " + notAllowed);
                }
            }
        }
        if (st.path("Resource").isMissingNode()) {
            problems.add(where + ": statement without Resource: " + st);
        }
    }

    static boolean isAllow(JsonNode st) {
        return "Allow".equals(st.path("Effect").asText());
    }

    static Set<String> actionsOf(JsonNode st) {
        Set<String> actions = new LinkedHashSet<>();
        JsonNode a = st.path("Action");
        if (a.isTextual()) {
            actions.add(a.asText());
        } else {
            flattenIf(a).forEach(x -> actions.add(x.asText()));
        }
        return actions;
    }

    static Pattern globToRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(sb.toString(), Pattern.CASE_INSENSITIVE);
    }

    static boolean hasTlsOnlyPolicy(Map<String, JsonNode> res, String bucketId) {
        for (JsonNode r : res.values()) {
            if (!"AWS::S3::BucketPolicy".equals(r.path("Type").asText())
                    || !isRef(r.path("Properties").path("Bucket"), bucketId)) {
                continue;
            }
            for (JsonNode st : statements(r.path("Properties").path("PolicyDocument"))) {
                JsonNode principal = st.path("Principal");
                boolean everyone = "*".equals(principal.asText()) || "*".equals(principal.path("AWS").asText());
                if ("Deny".equals(st.path("Effect").asText()) && everyone
                        && "false".equals(st.path("Condition").path("Bool").path("aws:SecureTransport").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    static Set<Integer> cronHours(String field) {
        Set<Integer> hours = new TreeSet<>();
        for (String part : field.split(",")) {
            if (part.contains("-")) {
                String[] ab = part.split("-");
                for (int h = Integer.parseInt(ab[0]); h <= Integer.parseInt(ab[1]); h++) {
                    hours.add(h);
                }
            } else {
                hours.add(Integer.parseInt(part));
            }
        }
        return hours;
    }

    static boolean isRef(JsonNode node, String target) {
        return node != null && node.isObject() && node.size() == 1 && target.equals(node.path("Ref").asText(null));
    }

    static boolean containsRef(JsonNode list, String target) {
        for (JsonNode n : flattenIf(list)) {
            if (isRef(n, target)) {
                return true;
            }
        }
        return false;
    }

    /** X for {Fn::GetAtt: [X, Arn]} or {Fn::GetAtt: "X.Arn"}, else null. */
    static String getAttArnTarget(JsonNode node) {
        JsonNode ga = node == null ? null : node.get("Fn::GetAtt");
        if (ga == null) {
            return null;
        }
        if (ga.isArray() && ga.size() == 2 && "Arn".equals(ga.path(1).asText())) {
            return ga.path(0).asText();
        }
        if (ga.isTextual() && ga.asText().endsWith(".Arn")) {
            return ga.asText().substring(0, ga.asText().length() - 4);
        }
        return null;
    }

    static boolean isGetAttArn(JsonNode node, String target) {
        return target.equals(getAttArnTarget(node));
    }

    /** Text of a plain string or of an Fn::Sub string. */
    static String asSubString(JsonNode node) {
        if (node == null) {
            return "";
        }
        if (node.isTextual()) {
            return node.asText();
        }
        JsonNode sub = node.path("Fn::Sub");
        return sub.isTextual() ? sub.asText() : sub.path(0).asText("");
    }

    static boolean isTrue(JsonNode node) {
        return node.isBoolean() ? node.booleanValue() : "true".equalsIgnoreCase(node.asText());
    }

    static Set<String> textSet(JsonNode array) {
        Set<String> s = new LinkedHashSet<>();
        array.forEach(n -> s.add(n.asText()));
        return s;
    }

    static Set<String> fieldNames(JsonNode obj) {
        Set<String> s = new TreeSet<>();
        obj.fieldNames().forEachRemaining(s::add);
        return s;
    }

    /**
     * infra/secondary.yaml's RecoveryRoleArns (the break-glass recovery from the secondary region) may only read:
     * list and get under backups/ in the replica bucket, the replica bucket key via S3 only, and the replica of the
     * envelope key for Decrypt with the backup encryption context (never Encrypt/GenerateDataKey, never a delete).
     */
    @Test
    void secondaryRecoveryRolesOnlyReadAndDecryptBackups() {
        JsonNode secondary = allTemplates.get("infra/secondary.yaml");
        assertNotNull(secondary, "infra/secondary.yaml");
        Map<String, JsonNode> statements = new LinkedHashMap<>();
        collectStatements(secondary.path("Resources"), statements);
        Map<String, JsonNode> recovery = new LinkedHashMap<>();
        statements.forEach((sid, st) -> {
            if (st.path("Principal").path("AWS").path("Ref").asText().equals("RecoveryRoleArns")) {
                recovery.put(sid, st);
            }
        });
        assertEquals(Set.of("RecoveryRolesReadViaS3", "RecoveryRolesDecryptBackups", "RecoveryRolesDescribeKey",
                "RecoveryRolesListBackups", "RecoveryRolesReadBackups"), recovery.keySet(), "statements granting RecoveryRoleArns");
        List<String> problems = new ArrayList<>();
        for (var e : recovery.entrySet()) {
            JsonNode st = e.getValue();
            Set<String> actions = new TreeSet<>();
            (st.path("Action").isArray() ? st.path("Action") : JSON.createArrayNode().add(st.path("Action")))
                    .forEach(a -> actions.add(a.asText()));
            if (!Set.of("kms:Decrypt", "kms:DescribeKey", "s3:ListBucket", "s3:GetObject").containsAll(actions)) {
                problems.add(e.getKey() + " grants " + actions);
            }
            String condition = st.path("Condition").toString();
            if (actions.contains("kms:Decrypt") && !condition.contains("kms:EncryptionContext:purpose")
                    && !condition.contains("kms:ViaService")) {
                problems.add(e.getKey() + ": kms:Decrypt without the encryption-context or via-S3 condition");
            }
            if (actions.contains("s3:GetObject") && !st.path("Resource").toString().contains("/backups/*")) {
                problems.add(e.getKey() + ": s3:GetObject beyond backups/*: " + st.path("Resource"));
            }
        }
        JsonNode decrypt = recovery.get("RecoveryRolesDecryptBackups");
        assertEquals("taskmaster-backup", decrypt.path("Condition").path("StringEquals").path("kms:EncryptionContext:purpose").asText(),
                "the replica envelope key decrypts only backups' data keys");
        assertNoProblems(problems);
    }

    /** Every IAM/KMS/S3 policy statement with a Sid under {@code node}, also those inside Fn::If. */
    static void collectStatements(JsonNode node, Map<String, JsonNode> out) {
        if (node.isObject()) {
            if (node.has("Sid") && node.has("Effect")) {
                out.put(node.path("Sid").asText(), node);
            }
            node.elements().forEachRemaining(child -> collectStatements(child, out));
        } else if (node.isArray()) {
            node.forEach(child -> collectStatements(child, out));
        }
    }

    static void assertNoProblems(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }
}
