package com.taskmaster.backup.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The deployment templates (template.yaml, infra/*.yaml) as the template tests read them, once: the parsed templates,
 * the handlers the code declares, the invariants the code and the security design rely on (which handler reads, writes,
 * decrypts or deletes what), and helpers to find functions, roles, statements and documentation sections. Plain
 * JUnit: no Quarkus, no AWS.
 *
 * <p>
 * The templates use the long form of intrinsics (Ref:, Fn::GetAtt:, Fn::Sub:), so they are plain YAML for Jackson;
 * {@code HygieneTemplateTest.templatesUseLongFormIntrinsics} keeps it that way.
 */
final class TemplateReader {

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
                    "RESTORE_TEST_SMOKE_QUERIES", "BACKUP_RTO"),
            // BACKUP_REPLICA_REPOSITORY is conditional (HasReplication): the page names it.
            "report", Set.of("BACKUP_DATABASE_NAME", "BACKUP_RPO", "BACKUP_RTO"),
            // What config-backup snapshots (and config-restore compares and writes back): CONFIG_*, from the Config* parameters.
            "config-backup", Set.of("BACKUP_KMS_KEY", "BACKUP_DATABASE_NAME", "CONFIG_PARAMETER_PATHS", "CONFIG_SECRET_IDS",
                    "CONFIG_SECRET_TAG", "CONFIG_FUNCTIONS", "CONFIG_TASK_DEFINITIONS"),
            "config-restore", Set.of("BACKUP_KMS_KEY", "CONFIG_PARAMETER_PATHS", "CONFIG_SECRET_IDS", "CONFIG_SECRET_TAG",
                    "CONFIG_FUNCTIONS", "CONFIG_TASK_DEFINITIONS"),
            "config-export", Set.of("BACKUP_KMS_KEY", "CONFIG_SECRET_ENV_PATTERNS"));

    /** The configuration-backup handlers (issue 15). */
    static final Set<String> CONFIG_HANDLERS = Set.of("config-backup", "config-restore", "config-export");

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
                    "${BackupBucket.Arn}/backups/verifications/*", "${BackupBucket.Arn}/backups/reports/readiness/*"));

    /** The report reads manifests and every record, never a data object, and writes only its page. */
    static final Set<String> REPORT_GET_RESOURCES = Set.of("${BackupBucket.Arn}/backups/manifests/*",
            "${BackupBucket.Arn}/backups/verifications/*", "${BackupBucket.Arn}/backups/reports/restore-test/*",
            "${BackupBucket.Arn}/backups/audit/prune/*", "${BackupBucket.Arn}/backups/reports/readiness/*");
    static final Set<String> REPORT_PUT_RESOURCES = Set.of("${BackupBucket.Arn}/backups/reports/readiness/*");

    /** Handlers whose roles must have no access to the envelope key (BackupKey) at all. */
    static final Set<String> NO_ENVELOPE_KEY_HANDLERS = Set.of("list", "prune", "report");

    /** What prune may delete (plain DeleteObject only), write (its audit records) and read, under the bucket. */
    /** Backups, and the configuration snapshots under config/ (issue 15): manifest and data object, nothing else. */
    static final Set<String> PRUNE_DELETE_RESOURCES = Set.of("${BackupBucket.Arn}/backups/manifests/*",
            "${BackupBucket.Arn}/backups/data/*", "${BackupBucket.Arn}/backups/config/manifests/*",
            "${BackupBucket.Arn}/backups/config/data/*");
    static final Set<String> PRUNE_PUT_RESOURCES = Set.of("${BackupBucket.Arn}/backups/audit/prune/*");
    /** Where prune reads S3 Object Lock state (retention, legal hold): what it may delete, nothing else. */
    static final Set<String> PRUNE_LOCK_STATE_RESOURCES = Set.of("${BackupBucket.Arn}/backups/manifests/*",
            "${BackupBucket.Arn}/backups/data/*");
    static final Set<String> PRUNE_GET_RESOURCES = Set.of("${BackupBucket.Arn}/backups/manifests/*",
            "${BackupBucket.Arn}/backups/verifications/*", "${BackupBucket.Arn}/backups/audit/prune/*",
            "${BackupBucket.Arn}/backups/config/manifests/*");

    /** Only these handlers' roles may delete objects. */
    static final Set<String> DELETE_ALLOWED_HANDLERS = Set.of("prune");

    /** Actions that AWS does not let us scope to a resource: the only ones allowed with Resource "*". */
    static final Set<String> RESOURCE_STAR_ALLOWED_ACTIONS = Set.of(
            "cloudwatch:PutMetricData",
            "xray:PutTraceSegments", "xray:PutTelemetryRecords",
            "xray:GetSamplingRules", "xray:GetSamplingTargets",
            "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
            // Configuration backups: no resource-level permissions exist for these; ConfigIamTemplateTest checks that
            // each is granted only under the condition of its (non-empty) parameter.
            "ecs:ListTaskDefinitions", "ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition", "secretsmanager:ListSecrets");

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

    /** config-backup's EMF metrics: the names ConfigBackupResult emits (a run, and a failed run). */
    static final List<String> CONFIG_METRICS = configMetrics();

    private static List<String> configMetrics() {
        try {
            String src = stripComments(Files.readString(projectRoot().resolve(
                    "src/main/java/com/taskmaster/backup/appconfig/ConfigBackupResult.java"), StandardCharsets.UTF_8));
            Set<String> names = new LinkedHashSet<>();
            Matcher m = Pattern.compile("\\.add\\(\\s*\"(\\w+)\"").matcher(src);
            while (m.find()) {
                names.add(m.group(1));
            }
            assertTrue(names.contains("ConfigDrift") && names.contains("ConfigSnapshotAgeSeconds"),
                    "config-backup's metrics as found in ConfigBackupResult.java: " + names);
            return List.copyOf(names);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = new YAMLMapper();

    static Path root;
    static JsonNode template;
    static Map<String, JsonNode> allTemplates;
    static Map<String, String> handlersInCode;

    /** Reads the templates and scans the handlers, once for all the test classes. */
    static synchronized void load() throws IOException {
        if (template != null) {
            return;
        }
        root = projectRoot();
        allTemplates = new LinkedHashMap<>();
        for (Path p : templateFiles(root)) {
            allTemplates.put(root.relativize(p).toString(), YAML.readTree(p.toFile()));
        }
        template = allTemplates.get("template.yaml");
        assertNotNull(template, "template.yaml not found in " + root);
        handlersInCode = scanHandlers(root.resolve("src/main/java"));
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

    /** The table infra/README.md must show: | `Name` | default | description, allowed values or range |. */
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

    private TemplateReader() {
    }
}
