package com.taskmaster.backup.infra;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

import static com.taskmaster.backup.infra.TemplateReader.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configuration backups (issue 15) in template.yaml: config-backup reads only what its Config* parameters name and
 * writes only snapshots under backups/config/; config-restore is the only role that writes configuration, and only
 * what is configured; config-export reads snapshots only; an empty parameter grants nothing (every statement about
 * the configuration exists only under its parameter's condition); the envelope key separates configuration snapshots
 * (purpose taskmaster-config) from database backups (taskmaster-backup); the schedule, the change rules, the alarms.
 * What moto can enforce is proven again by the rehearsal (infra/rehearsal/negatives.py, config_checks).
 */
class ConfigIamTemplateTest {
    /** Actions that change the application's configuration: only config-restore's role may hold them. */
    private static final List<String> CONFIGURATION_WRITES = List.of("ssm:PutParameter", "ssm:DeleteParameter",
            "ssm:DeleteParameters", "ssm:LabelParameterVersion", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret",
            "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:RestoreSecret",
            "lambda:UpdateFunctionConfiguration", "ecs:RegisterTaskDefinition", "iam:PassRole");
    /** Each configuration parameter, the condition that says it is set, and the CONFIG_* variable it becomes. */
    private static final Map<String, String> CONDITION_OF = Map.of("ConfigParameterPaths", "HasConfigParameterPaths",
            "ConfigSecretArns", "HasConfigSecretArns", "ConfigFunctionArns", "HasConfigFunctions",
            "ConfigTaskDefinitions", "HasConfigTaskDefinitions", "ConfigTaskRoleArns", "HasConfigTaskRoles",
            "ConfigKmsKeyArns", "HasConfigKmsKeys", "ConfigSecretTag", "HasConfigSecretTag");

    @BeforeAll
    static void load() throws IOException {
        TemplateReader.load();
    }

    private static String roleOf(String handler) {
        String roleId = getAttArnTarget(function(handler).path("Properties").path("Role"));
        assertNotNull(roleId, handler + " Role");
        return roleId;
    }

    /** Statements of a role, with the condition (or null) under which each exists, tagged policies included. */
    private static List<Map.Entry<String, JsonNode>> conditionalStatements(String roleId) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (var r : resources(template).entrySet()) {
            JsonNode p = r.getValue().path("Properties");
            if (!"AWS::IAM::Policy".equals(r.getValue().path("Type").asText()) || !containsRef(p.path("Roles"), roleId)) {
                continue;
            }
            String policyCondition = r.getValue().path("Condition").asText(null);
            JsonNode doc = p.path("PolicyDocument");
            if (doc.has("Fn::Sub")) {
                for (JsonNode st : subPolicy(doc).path("Statement")) {
                    out.add(Map.entry(policyCondition == null ? "" : policyCondition, st));
                }
                continue;
            }
            for (JsonNode st : doc.path("Statement")) {
                JsonNode ifNode = st.path("Fn::If");
                if (ifNode.isArray()) {
                    assertTrue(isRef(ifNode.path(2), "AWS::NoValue"), r.getKey() + ": a conditional statement's false branch must be AWS::NoValue");
                    out.add(Map.entry(ifNode.path(0).asText(), ifNode.path(1)));
                } else {
                    out.add(Map.entry(policyCondition == null ? "" : policyCondition, st));
                }
            }
        }
        return out;
    }

    /** A policy document written as JSON text through Fn::Sub, with its variables left as ${Name}. */
    private static JsonNode subPolicy(JsonNode doc) {
        JsonNode sub = doc.path("Fn::Sub");
        String text = sub.isArray() ? sub.path(0).asText() : sub.asText();
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("a Fn::Sub policy document is not JSON: " + text, e);
        }
    }

    private static Set<String> resourcesOf(JsonNode st) {
        Set<String> out = new TreeSet<>();
        for (JsonNode r : flattenIf(st.path("Resource"))) {
            out.add(r.isTextual() ? r.asText() : r.toString());
        }
        return out;
    }

    private static boolean grants(JsonNode st, String action) {
        return isAllow(st) && actionsOf(st).stream().anyMatch(a -> globToRegex(a).matcher(action).matches());
    }

    @Test
    void onlyConfigRestoreWritesConfiguration() {
        List<String> problems = new ArrayList<>();
        Set<String> restoreWrites = new TreeSet<>();
        for (String fn : functions().keySet()) {
            String handler = handlerOf(fn);
            for (var e : conditionalStatements(roleOf(fn))) {
                for (String action : CONFIGURATION_WRITES) {
                    if (!grants(e.getValue(), action)) {
                        continue;
                    }
                    if ("config-restore".equals(handler)) {
                        restoreWrites.add(action);
                    } else {
                        problems.add(fn + " may " + action + " (only config-restore writes configuration)");
                    }
                }
            }
        }
        assertTrue(restoreWrites.containsAll(Set.of("ssm:PutParameter", "secretsmanager:PutSecretValue",
                "lambda:UpdateFunctionConfiguration", "ecs:RegisterTaskDefinition", "iam:PassRole")),
                "config-restore writes parameters, secrets, function environments and task definitions: " + restoreWrites);
        assertNoProblems(problems);
    }

    /**
     * Every grant on the configuration exists only when its parameter is set, and names the parameter's resources (or,
     * where AWS has no resource-level permission, "*" under that same condition): an empty list grants nothing.
     */
    @Test
    void everyConfigurationGrantExistsOnlyWhenItsParameterIsSet() {
        List<String> problems = new ArrayList<>();
        for (String h : CONFIG_HANDLERS) {
            for (var e : conditionalStatements(roleOf(h))) {
                JsonNode st = e.getValue();
                String condition = e.getKey();
                Set<String> services = new TreeSet<>();
                actionsOf(st).forEach(a -> services.add(a.substring(0, a.indexOf(':'))));
                String text = st.toString();
                boolean configuration = services.stream().anyMatch(s -> Set.of("ssm", "secretsmanager", "lambda", "ecs", "iam").contains(s))
                        || text.contains("ConfigKmsKeyArns");
                if (!configuration) {
                    continue;
                }
                Set<String> params = new TreeSet<>();
                CONDITION_OF.keySet().forEach(p -> {
                    if (text.contains("\"" + p + "\"")) {
                        params.add(p);
                    }
                });
                // ecs:TagResource on create: this account's task definitions (a family list cannot be made into ARNs)
                boolean star = resourcesOf(st).contains("*") || text.contains(":task-definition/*");
                if (text.contains("aws:ResourceTag/${TagKey}")) {
                    params.add("ConfigSecretTag"); // the tag policy: its resources are narrowed by the tag condition
                }
                if (star && params.isEmpty()) {
                    // no resource-level permission: only under the condition of the list that needs it
                    Set<String> actions = actionsOf(st);
                    String needed = actions.stream().anyMatch(a -> a.startsWith("ecs:")) ? "HasConfigTaskDefinitions"
                            : actions.contains("secretsmanager:ListSecrets") ? "HasConfigSecretTag" : null;
                    if (needed == null || !needed.equals(condition)) {
                        problems.add(h + ": " + actions + " on \"*\" must exist only under " + needed + ", is under '" + condition + "'");
                    }
                    continue;
                }
                if (params.size() != 1) {
                    problems.add(h + ": a configuration statement must name exactly one Config* parameter: " + st);
                    continue;
                }
                String expected = CONDITION_OF.get(params.iterator().next());
                if (!expected.equals(condition)) {
                    problems.add(h + ": " + st.path("Sid").asText(st.toString()) + " must exist only under " + expected + ", is under '" + condition + "'");
                }
                if (star && !text.contains("aws:ResourceTag/${TagKey}")) {
                    problems.add(h + ": " + st.path("Sid").asText() + " grants \"*\"");
                }
            }
        }
        // The conditions are "the parameter is not empty".
        for (var c : CONDITION_OF.entrySet()) {
            String cond = template.path("Conditions").path(c.getValue()).toString();
            if (!cond.contains("\"Fn::Not\"") || !cond.contains("{\"Ref\":\"" + c.getKey() + "\"}") || !cond.contains("\"\"")) {
                problems.add("condition " + c.getValue() + " must be: " + c.getKey() + " is not empty; is " + cond);
            }
        }
        assertNoProblems(problems);
    }

    /** The tagged secrets: GetSecretValue (and PutSecretValue for restore) only on secrets carrying the tag. */
    @Test
    void taggedSecretsAreReadOnlyThroughTheTagCondition() {
        List<String> problems = new ArrayList<>();
        int policies = 0;
        for (var r : resources(template).entrySet()) {
            JsonNode doc = r.getValue().path("Properties").path("PolicyDocument");
            if (!doc.has("Fn::Sub")) {
                continue;
            }
            policies++;
            if (!"HasConfigSecretTag".equals(r.getValue().path("Condition").asText())) {
                problems.add(r.getKey() + ": must exist only under HasConfigSecretTag");
            }
            JsonNode vars = doc.path("Fn::Sub").path(1);
            for (String v : List.of("TagKey", "TagValue")) {
                JsonNode select = vars.path(v).path("Fn::Select");
                if (!select.path(1).path("Fn::Split").path(0).asText().equals("=")
                        || !isRef(select.path(1).path("Fn::Split").path(1), "ConfigSecretTag")) {
                    problems.add(r.getKey() + ": " + v + " must come from ConfigSecretTag split at '='");
                }
            }
            for (JsonNode st : subPolicy(doc).path("Statement")) {
                Set<String> actions = actionsOf(st);
                if (actions.equals(Set.of("secretsmanager:ListSecrets"))) {
                    continue;
                }
                if (!"${TagValue}".equals(st.path("Condition").path("StringEquals").path("aws:ResourceTag/${TagKey}").asText())) {
                    problems.add(r.getKey() + ": " + actions + " without the condition aws:ResourceTag/${TagKey} = ${TagValue}");
                }
                if (!st.path("Resource").asText().endsWith(":secret:*")) {
                    problems.add(r.getKey() + ": " + actions + " beyond secrets: " + st.path("Resource"));
                }
                for (String a : actions) {
                    if (!a.startsWith("secretsmanager:")) {
                        problems.add(r.getKey() + ": " + a);
                    }
                }
            }
        }
        assertEquals(2, policies, "the tagged-secrets policies (read for config-backup, read and write for config-restore)");
        assertNoProblems(problems);
    }

    /**
     * The parameter ARNs the roles get, evaluated for a list of two paths: exactly each path (GetParametersByPath is
     * evaluated on the path) and everything below it, nothing else; restore writes only below them.
     */
    @Test
    void parameterGrantsAreExactlyTheConfiguredPaths() {
        Map<String, List<String>> values = Map.of("ConfigParameterPaths", List.of("/taskmaster/prod", "/shared/api"));
        Map<String, Set<String>> byAction = new LinkedHashMap<>();
        for (String h : List.of("config-backup", "config-restore")) {
            for (var e : conditionalStatements(roleOf(h))) {
                for (String a : actionsOf(e.getValue())) {
                    if (a.startsWith("ssm:")) {
                        Set<String> arns = new TreeSet<>(evaluate(e.getValue().path("Resource"), values));
                        byAction.merge(h + " " + a, arns, (x, y) -> {
                            x.addAll(y);
                            return x;
                        });
                        assertEquals("AWS::Region", e.getValue().path("Condition").path("StringEquals").path("aws:RequestedRegion").path("Ref").asText(),
                                h + " " + a + ": the region is pinned by aws:RequestedRegion (the ARNs' region is a wildcard)");
                    }
                }
            }
        }
        Set<String> pathsAndBelow = Set.of("arn:*:ssm:*:*:parameter/taskmaster/prod", "arn:*:ssm:*:*:parameter/taskmaster/prod/*",
                "arn:*:ssm:*:*:parameter/shared/api", "arn:*:ssm:*:*:parameter/shared/api/*");
        Set<String> below = Set.of("arn:*:ssm:*:*:parameter/taskmaster/prod/*", "arn:*:ssm:*:*:parameter/shared/api/*");
        assertEquals(Map.of("config-backup ssm:GetParametersByPath", pathsAndBelow,
                "config-restore ssm:GetParametersByPath", pathsAndBelow,
                "config-restore ssm:PutParameter", below, "config-restore ssm:DeleteParameter", below), byAction);
    }

    /** Ref, Fn::Join, Fn::Split and strings, with list parameters given their values. */
    private static List<String> evaluate(JsonNode node, Map<String, List<String>> lists) {
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        if (node.has("Ref")) {
            List<String> v = lists.get(node.path("Ref").asText());
            assertNotNull(v, "no value for " + node);
            return v;
        }
        if (node.has("Fn::Join")) {
            List<String> parts = new ArrayList<>();
            JsonNode list = node.path("Fn::Join").path(1);
            if (list.isArray()) {
                list.forEach(n -> parts.add(String.join("", evaluate(n, lists))));
            } else {
                parts.addAll(evaluate(list, lists));
            }
            return List.of(String.join(node.path("Fn::Join").path(0).asText(), parts));
        }
        if (node.has("Fn::Split")) {
            String joined = String.join("", evaluate(node.path("Fn::Split").path(1), lists));
            return List.of(joined.split(Pattern.quote(node.path("Fn::Split").path(0).asText()), -1));
        }
        throw new AssertionError("cannot evaluate " + node);
    }

    /**
     * S3: config-backup writes only snapshots (data, manifest) under backups/config/ and reads only there (baseline
     * included); config-restore and config-export read snapshots and write nothing; none deletes; the database
     * backup roles never read a snapshot's data.
     */
    @Test
    void snapshotsAreWrittenOnlyByConfigBackupUnderConfig() {
        String prefix = "${BackupBucket.Arn}/backups/config/";
        Map<String, Set<String>> expectedPut = Map.of("config-backup", Set.of(prefix + "data/*", prefix + "manifests/*"),
                "config-restore", Set.of(), "config-export", Set.of());
        Map<String, Set<String>> expectedGet = Map.of(
                "config-backup", Set.of(prefix + "manifests/*", prefix + "data/*", prefix + "baseline.json"),
                "config-restore", Set.of(prefix + "manifests/*", prefix + "data/*"),
                "config-export", Set.of(prefix + "manifests/*", prefix + "data/*"));
        List<String> problems = new ArrayList<>();
        for (String h : CONFIG_HANDLERS) {
            Set<String> put = new TreeSet<>();
            Set<String> get = new TreeSet<>();
            for (var e : conditionalStatements(roleOf(h))) {
                JsonNode st = e.getValue();
                Set<String> rs = new TreeSet<>();
                flattenIf(st.path("Resource")).forEach(r -> rs.add(asSubString(r)));
                if (grants(st, "s3:PutObject")) {
                    put.addAll(rs);
                }
                if (grants(st, "s3:GetObject")) {
                    get.addAll(rs);
                }
                S3_DELETE_ACTIONS.stream().filter(d -> grants(st, d)).forEach(d -> problems.add(h + " may " + d));
                if (grants(st, "s3:ListBucket") && !"backups/config/*".equals(st.path("Condition").path("StringLike").path("s3:prefix").asText())) {
                    problems.add(h + ": s3:ListBucket beyond s3:prefix backups/config/*: " + st);
                }
            }
            if (!expectedPut.get(h).equals(put)) {
                problems.add(h + ": s3:PutObject on " + put + ", expected " + expectedPut.get(h));
            }
            if (!expectedGet.get(h).equals(get)) {
                problems.add(h + ": s3:GetObject on " + get + ", expected " + expectedGet.get(h));
            }
        }
        for (String fn : functions().keySet()) {
            if (CONFIG_HANDLERS.contains(handlerOf(fn))) {
                continue;
            }
            for (JsonNode st : statementsOfRole(roleOf(fn))) {
                for (JsonNode r : flattenIf(st.path("Resource"))) {
                    if (asSubString(r).startsWith(prefix + "data") && (grants(st, "s3:GetObject") || grants(st, "s3:PutObject"))) {
                        problems.add(fn + " reaches configuration snapshot data: " + st);
                    }
                }
            }
        }
        assertNoProblems(problems);
    }

    /**
     * The envelope key: the configuration roles use it only with purpose=taskmaster-config (config-backup generates and
     * decrypts, the others only decrypt), in their IAM policies and in the key policy; no other role gets that purpose.
     */
    @Test
    void theEnvelopeKeySeparatesSnapshotsFromBackups() {
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> expected = Map.of("config-backup", Set.of("kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"),
                "config-restore", Set.of("kms:Decrypt", "kms:DescribeKey"), "config-export", Set.of("kms:Decrypt", "kms:DescribeKey"));
        for (String fn : functions().keySet()) {
            String h = handlerOf(fn);
            String roleId = roleOf(fn);
            Set<String> envelope = new TreeSet<>();
            for (JsonNode st : statementsOfRole(roleId)) {
                if (flattenIf(st.path("Resource")).stream().noneMatch(r -> isGetAttArn(r, "BackupKey"))) {
                    continue;
                }
                String purpose = st.path("Condition").path("StringEquals").path("kms:EncryptionContext:purpose").asText(null);
                for (String a : actionsOf(st)) {
                    envelope.add(a);
                    if (!a.equals("kms:DescribeKey") && CONFIG_HANDLERS.contains(h) && !"taskmaster-config".equals(purpose)) {
                        problems.add(h + ": " + a + " on BackupKey must require purpose=taskmaster-config, requires " + purpose);
                    }
                    if (!CONFIG_HANDLERS.contains(h) && "taskmaster-config".equals(purpose)) {
                        problems.add(h + " may " + a + " configuration snapshots' data keys");
                    }
                }
            }
            if (CONFIG_HANDLERS.contains(h) && !expected.get(h).equals(envelope)) {
                problems.add(h + ": BackupKey actions " + envelope + ", expected " + expected.get(h));
            }
            for (JsonNode st : statements(template.path("Resources").path("BackupKey").path("Properties").path("KeyPolicy"))) {
                boolean names = flattenIf(st.path("Principal").path("AWS")).stream().anyMatch(p -> roleId.equals(getAttArnTarget(p)));
                if (!names) {
                    continue;
                }
                String purpose = st.path("Condition").path("StringEquals").path("kms:EncryptionContext:purpose").asText(null);
                for (String a : actionsOf(st)) {
                    if (a.equals("kms:DescribeKey")) {
                        continue;
                    }
                    if (CONFIG_HANDLERS.contains(h) && !("taskmaster-config".equals(purpose) && expected.get(h).contains(a))) {
                        problems.add("BackupKey policy grants " + h + " " + a + " with purpose " + purpose);
                    }
                    if (!CONFIG_HANDLERS.contains(h) && "taskmaster-config".equals(purpose)) {
                        problems.add("BackupKey policy grants " + h + " " + a + " on configuration snapshots");
                    }
                }
            }
        }
        assertNoProblems(problems);
    }

    /** Each function's CONFIG_* variables are its parameters (lists joined with ','), the export's default is the code's. */
    @Test
    void environmentComesFromTheConfigParameters() throws IOException {
        Map<String, String> listParameter = Map.of("CONFIG_PARAMETER_PATHS", "ConfigParameterPaths", "CONFIG_SECRET_IDS",
                "ConfigSecretArns", "CONFIG_FUNCTIONS", "ConfigFunctionArns", "CONFIG_TASK_DEFINITIONS", "ConfigTaskDefinitions");
        List<String> problems = new ArrayList<>();
        for (String h : List.of("config-backup", "config-restore")) {
            Map<String, JsonNode> env = environmentOf(functionId(h));
            listParameter.forEach((var, param) -> {
                JsonNode join = env.get(var) == null ? null : env.get(var).path("Fn::Join");
                if (join == null || !",".equals(join.path(0).asText()) || !isRef(join.path(1), param)) {
                    problems.add(h + ": " + var + " must be Fn::Join [',', {Ref: " + param + "}], is " + env.get(var));
                }
                if (!"CommaDelimitedList".equals(template.path("Parameters").path(param).path("Type").asText())) {
                    problems.add(param + " must be a CommaDelimitedList");
                }
            });
            if (!isRef(env.get("CONFIG_SECRET_TAG"), "ConfigSecretTag")) {
                problems.add(h + ": CONFIG_SECRET_TAG must be {Ref: ConfigSecretTag}");
            }
        }
        assertTrue(isRef(environmentOf(functionId("config-backup")).get("BACKUP_DATABASE_NAME"), "DatabaseName"),
                "config-backup's metrics carry the alarms' dimension: BACKUP_DATABASE_NAME = Ref DatabaseName");
        for (String h : List.of("config-export")) {
            for (String var : environmentOf(functionId(h)).keySet()) {
                if (listParameter.containsKey(var) || var.equals("CONFIG_SECRET_TAG")) {
                    problems.add(h + " gets " + var + " (it reads snapshots only)");
                }
            }
        }
        // The code's default, read from its annotation (it may name a constant).
        io.smallrye.config.WithDefault codeDefault;
        try {
            codeDefault = com.taskmaster.backup.config.ConfigBackupConfig.class.getMethod("secretEnvPatterns")
                    .getAnnotation(io.smallrye.config.WithDefault.class);
        } catch (NoSuchMethodException e) {
            throw new AssertionError("ConfigBackupConfig has no secretEnvPatterns()", e);
        }
        assertTrue(codeDefault != null, "no @WithDefault on ConfigBackupConfig.secretEnvPatterns()");
        assertEquals(codeDefault.value(), template.path("Parameters").path("ConfigSecretEnvPatterns").path("Default").asText(),
                "ConfigSecretEnvPatterns' default is the code's");
        assertTrue(isRef(environmentOf(functionId("config-export")).get("CONFIG_SECRET_ENV_PATTERNS"), "ConfigSecretEnvPatterns"));
        assertNoProblems(problems);
    }

    /**
     * config-backup: daily (ScheduleV2 with retry and the dead-letter queue) and on changes: a rule for Parameter Store
     * changes and one for Secrets Manager writes (CloudTrail), each enabled only when there is something to watch, each
     * with the dead-letter queue, which lets exactly these rules send to it. config-restore and config-export: manual.
     */
    @Test
    void configBackupRunsDailyAndOnChanges() throws IOException {
        JsonNode events = function("config-backup").path("Properties").path("Events");
        Map<String, JsonNode> byType = new LinkedHashMap<>();
        List<String> ruleIds = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = events.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> ev = it.next();
            String type = ev.getValue().path("Type").asText();
            JsonNode p = ev.getValue().path("Properties");
            assertTrue(isGetAttArn(p.path("DeadLetterConfig").path("Arn"), "SchedulerDeadLetterQueue"), ev.getKey() + " DeadLetterConfig");
            assertTrue(p.path("RetryPolicy").has("MaximumRetryAttempts"), ev.getKey() + " RetryPolicy");
            if (type.equals("EventBridgeRule")) {
                ruleIds.add("ConfigBackupFunction" + ev.getKey());
                byType.put(p.path("Pattern").path("source").path(0).asText(), p);
            } else {
                assertEquals("ScheduleV2", type, ev.getKey());
                byType.put("schedule", p);
            }
        }
        assertEquals(Set.of("schedule", "aws.ssm", "aws.secretsmanager"), byType.keySet());

        JsonNode schedule = byType.get("schedule");
        assertEquals("HasConfigScope", schedule.path("State").path("Fn::If").path(0).asText(),
                "the daily run is enabled only when something is configured (else it would fail daily: nothing to back up)");
        String scope = template.path("Conditions").path("HasConfigScope").toString();
        for (String c : List.of("HasConfigParameterPaths", "HasConfigSecrets", "HasConfigFunctions", "HasConfigTaskDefinitions")) {
            assertTrue(scope.contains("\"" + c + "\""), "HasConfigScope must include " + c + ": " + scope);
        }
        assertTrue(schedule.path("ScheduleExpression").asText().matches("cron\\(\\d+ \\d+ \\* \\* \\? \\*\\)"), "daily: " + schedule);
        assertEquals("UTC", schedule.path("ScheduleExpressionTimezone").asText());
        JsonNode input = JSON.readTree(schedule.path("Input").asText());
        assertEquals(Set.of("schedule", "scheduledTime"), fieldNames(input));
        assertEquals(SCHEDULED_TIME, input.path("scheduledTime").asText());

        JsonNode ssm = byType.get("aws.ssm");
        assertEquals("Parameter Store Change", ssm.path("Pattern").path("detail-type").path(0).asText());
        assertEquals("HasConfigParameterPaths", ssm.path("State").path("Fn::If").path(0).asText(), "the SSM rule is enabled with paths only");
        JsonNode sm = byType.get("aws.secretsmanager");
        assertEquals("AWS API Call via CloudTrail", sm.path("Pattern").path("detail-type").path(0).asText());
        assertEquals("secretsmanager.amazonaws.com", sm.path("Pattern").path("detail").path("eventSource").path(0).asText());
        assertTrue(textSet(sm.path("Pattern").path("detail").path("eventName")).containsAll(
                Set.of("PutSecretValue", "UpdateSecret", "RotateSecret", "DeleteSecret")), "secret writes: " + sm.path("Pattern"));
        assertEquals("HasConfigSecrets", sm.path("State").path("Fn::If").path(0).asText(), "the Secrets Manager rule is enabled with secrets only");

        // The dead-letter queue accepts the rules' failed deliveries, and only theirs.
        JsonNode rules = null;
        for (JsonNode st : statements(template.path("Resources").path("SchedulerDeadLetterQueuePolicy").path("Properties").path("PolicyDocument"))) {
            if (isAllow(st) && "events.amazonaws.com".equals(st.path("Principal").path("Service").asText())) {
                assertEquals(Set.of("sqs:SendMessage"), actionsOf(st));
                rules = st.path("Condition").path("ArnEquals").path("aws:SourceArn");
            }
        }
        assertNotNull(rules, "SchedulerDeadLetterQueuePolicy lets the config-backup rules send their failed events");
        Set<String> sources = new LinkedHashSet<>();
        rules.forEach(r -> sources.add(getAttArnTarget(r)));
        assertEquals(new TreeSet<>(ruleIds), new TreeSet<>(sources), "the rules (SAM names them <Function><Event>)");

        // The handler sees a change event as one ("detail-type"), the schedule's as one ("schedule").
        JsonNode change = JSON.readTree(root.resolve("infra/events/config-backup-change.json").toFile());
        assertEquals("Parameter Store Change", change.path("detail-type").asText());
        assertEquals("aws.ssm", change.path("source").asText());

        for (String h : List.of("config-restore", "config-export")) {
            assertFalse(function(h).path("Properties").has("Events"), h + " is manual only");
        }
        assertEquals(0, function("config-restore").path("Properties").path("EventInvokeConfig").path("MaximumRetryAttempts").asInt(-1),
                "config-restore is never retried automatically");
        assertEquals(1, function("config-restore").path("Properties").path("ReservedConcurrentExecutions").asInt(-1),
                "never two config-restores at once");
        assertEquals(1, function("config-backup").path("Properties").path("ReservedConcurrentExecutions").asInt(-1),
                "one config-backup at a time (bursts of change events wait)");
    }

    /** Drift and failure alarm on config-backup's own metrics, with the dashboard's dimension. */
    @Test
    void driftAndStaleSnapshotsAlarm() {
        List<String> problems = new ArrayList<>();
        for (String[] a : new String[][]{{"ConfigDriftAlarm", "ConfigDrift", "GreaterThanOrEqualToThreshold", "notBreaching"},
                {"NoRecentConfigSnapshotAlarm", "ConfigBackupSucceeded", "LessThanThreshold", "breaching"}}) {
            JsonNode p = template.path("Resources").path(a[0]).path("Properties");
            if (!CONFIG_METRICS.contains(a[1])) {
                problems.add(a[0] + ": " + a[1] + " is not a metric config-backup emits " + CONFIG_METRICS);
            }
            if (!METRIC_NAMESPACE.equals(p.path("Namespace").asText()) || !a[1].equals(p.path("MetricName").asText())
                    || !METRIC_DIMENSION.equals(p.path("Dimensions").path(0).path("Name").asText())
                    || !isRef(p.path("Dimensions").path(0).path("Value"), "DatabaseName")) {
                problems.add(a[0] + " must watch " + METRIC_NAMESPACE + " " + a[1] + " with Database = DatabaseName: " + p);
            }
            if (!a[2].equals(p.path("ComparisonOperator").asText()) || !a[3].equals(p.path("TreatMissingData").asText())) {
                problems.add(a[0] + ": " + a[2] + ", missing data " + a[3]);
            }
        }
        assertEquals("HasConfigScope", template.path("Resources").path("NoRecentConfigSnapshotAlarm").path("Condition").asText(),
                "no stale-snapshot alarm when nothing is configured (missing data would breach)");
        JsonNode stale = template.path("Resources").path("NoRecentConfigSnapshotAlarm").path("Properties");
        if (stale.path("Period").asInt() * stale.path("EvaluationPeriods").asInt() != 26 * 3600
                || stale.path("DatapointsToAlarm").asInt() != stale.path("EvaluationPeriods").asInt()) {
            problems.add("NoRecentConfigSnapshotAlarm: 26 hours without a success, every period breaching");
        }
        assertNoProblems(problems);
    }
}
