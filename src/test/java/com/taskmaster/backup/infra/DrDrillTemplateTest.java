package com.taskmaster.backup.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.drdrill.DrDrillReport;
import com.taskmaster.backup.format.Layout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static com.taskmaster.backup.infra.TemplateReader.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * infra/secondary.yaml's disaster-recovery drill (IamTemplateTest's checks, for the role of the secondary region):
 * its role reads only the replica bucket's backups and writes only the drill's reports there, never deletes, decrypts
 * only with the replica key and only backups' data keys (encryption-context condition, in its IAM policy and in the
 * key policy); the function runs the code's dr-drill handler with the settings the code reads; its alarms watch
 * metrics the code emits, and the dashboard shows them.
 */
class DrDrillTemplateTest {
    static JsonNode secondary;

    @BeforeAll
    static void load() throws IOException {
        TemplateReader.load();
        secondary = allTemplates.get("infra/secondary.yaml");
        assertNotNull(secondary, "infra/secondary.yaml");
    }

    static JsonNode resource(String id) {
        JsonNode r = secondary.path("Resources").path(id);
        assertTrue(r.isObject(), "infra/secondary.yaml has no " + id);
        return r;
    }

    /** Every statement of the AWS::IAM::Policy resources attached to the drill's role (and none inline). */
    static List<JsonNode> drillStatements() {
        List<JsonNode> out = new ArrayList<>();
        assertTrue(resource("DrDrillFunctionRole").path("Properties").path("Policies").isMissingNode(), "no inline policies");
        resources(secondary).values().forEach(r -> {
            if ("AWS::IAM::Policy".equals(r.path("Type").asText()) && containsRef(r.path("Properties").path("Roles"), "DrDrillFunctionRole")) {
                out.addAll(statements(r.path("Properties").path("PolicyDocument")));
            }
        });
        return out;
    }

    @Test
    void theDrillRoleReadsOnlyTheReplicaAndWritesOnlyItsReports() {
        List<String> problems = new ArrayList<>();
        Set<String> get = new TreeSet<>();
        Set<String> put = new TreeSet<>();
        Set<String> list = new TreeSet<>();
        List<JsonNode> statements = drillStatements();
        assertTrue(statements.size() > 5, "the drill's policy");
        for (JsonNode st : statements) {
            if (!isAllow(st)) {
                continue;
            }
            Set<String> resources = new TreeSet<>();
            flattenIf(st.path("Resource")).forEach(r -> resources.add(r.isTextual() || r.has("Fn::Sub") ? asSubString(r)
                    : getAttArnTarget(r) != null ? getAttArnTarget(r) : r.toString()));
            checkStatement("dr-drill (DrDrillFunctionRole)", st, false, problems);
            for (String a : actionsOf(st)) {
                Pattern glob = globToRegex(a);
                for (String del : S3_DELETE_ACTIONS) {
                    if (glob.matcher(del).matches()) {
                        problems.add("dr-drill: " + a + " grants " + del);
                    }
                }
                if (a.startsWith("s3:") && !Set.of("s3:GetObject", "s3:PutObject", "s3:ListBucket").contains(a)) {
                    problems.add("dr-drill: " + a + " (only GetObject, PutObject, ListBucket)");
                }
                switch (a) {
                    case "s3:GetObject" -> get.addAll(resources);
                    case "s3:PutObject" -> put.addAll(resources);
                    case "s3:ListBucket" -> {
                        list.addAll(resources);
                        if (!"backups/*".equals(st.path("Condition").path("StringLike").path("s3:prefix").asText())) {
                            problems.add("dr-drill: s3:ListBucket must be limited to s3:prefix backups/*");
                        }
                    }
                    default -> {
                    }
                }
                if (a.startsWith("kms:")) {
                    checkKms(a, st, resources, problems);
                }
            }
        }
        assertEquals(Set.of("${ReplicaBucket.Arn}/backups/manifests/*", "${ReplicaBucket.Arn}/backups/data/*"), get, "s3:GetObject");
        assertEquals(Set.of("${ReplicaBucket.Arn}/backups/" + Layout.DR_DRILL_REPORTS + "*"), put,
                "s3:PutObject: only the reports the code writes (Layout.DR_DRILL_REPORTS)");
        assertEquals(Set.of("ReplicaBucket"), list, "s3:ListBucket");
        assertNoProblems(problems);
    }

    /** The replica key: Decrypt with the backups' encryption context, DescribeKey; the bucket key via S3, the alert key via SNS. */
    private static void checkKms(String action, JsonNode st, Set<String> resources, List<String> problems) {
        JsonNode condition = st.path("Condition").path("StringEquals");
        for (String r : resources) {
            switch (r) {
                case "BackupReplicaKey" -> {
                    if (!Set.of("kms:Decrypt", "kms:DescribeKey").contains(action)) {
                        problems.add("dr-drill: only kms:Decrypt and kms:DescribeKey on the replica key, not " + action);
                    }
                    if (action.equals("kms:Decrypt") && !"taskmaster-backup".equals(condition.path("kms:EncryptionContext:purpose").asText())) {
                        problems.add("dr-drill: kms:Decrypt on the replica key must require kms:EncryptionContext:purpose=taskmaster-backup");
                    }
                }
                case "ReplicaBucketKey", "AlertKey" -> {
                    String via = r.equals("ReplicaBucketKey") ? "s3." : "sns.";
                    if (!asSubString(condition.path("kms:ViaService")).startsWith(via)) {
                        problems.add("dr-drill: " + action + " on " + r + " only via " + via + "${AWS::Region}");
                    }
                }
                default -> problems.add("dr-drill: " + action + " on " + r + " (only the replica key, the replica bucket key, the alert key)");
            }
        }
    }

    @Test
    void theReplicaKeyPolicyLetsTheDrillDecryptOnlyBackupsDataKeys() {
        List<String> problems = new ArrayList<>();
        int decrypts = 0;
        for (JsonNode st : statements(resource("BackupReplicaKey").path("Properties").path("KeyPolicy"))) {
            if (!"DrDrillFunctionRole".equals(getAttArnTarget(st.path("Principal").path("AWS")))) {
                continue;
            }
            for (String a : actionsOf(st)) {
                if (!Set.of("kms:Decrypt", "kms:DescribeKey").contains(a)) {
                    problems.add("BackupReplicaKey policy grants the drill " + a);
                }
                if (a.equals("kms:Decrypt")) {
                    decrypts++;
                    if (!"taskmaster-backup".equals(st.path("Condition").path("StringEquals").path("kms:EncryptionContext:purpose").asText())) {
                        problems.add("BackupReplicaKey policy: the drill's kms:Decrypt must require kms:EncryptionContext:purpose=taskmaster-backup");
                    }
                }
            }
        }
        assertEquals(1, decrypts, "the replica key's policy lets the drill's role decrypt");
        assertNoProblems(problems);
    }

    @Test
    void theFunctionRunsTheDrillWithTheSettingsTheCodeReads() throws IOException {
        JsonNode fn = resource("DrDrillFunction");
        JsonNode p = fn.path("Properties");
        assertEquals("AWS::Serverless::Function", fn.path("Type").asText());
        assertTrue(handlersInCode.containsKey("dr-drill"), "the code has a dr-drill handler: " + handlersInCode);
        JsonNode env = p.path("Environment").path("Variables");
        assertEquals("dr-drill", env.path("QUARKUS_LAMBDA_HANDLER").asText());
        assertEquals("s3://${ReplicaBucket}/backups", asSubString(env.path("BACKUP_REPLICA_REPOSITORY")),
                "the replica repository, with the primary's prefix (template.yaml: s3://${BackupBucket}/backups)");
        assertEquals("BackupReplicaKey", getAttArnTarget(env.path("BACKUP_REPLICA_KMS_KEY")), "decrypts with the replica key");
        assertTrue(isRef(env.path("RESTORE_TEST_DB_SECRET_ARN"), "RestoreTestSecretArn"));
        assertTrue(isRef(env.path("BACKUP_ALERT_TOPIC"), "AlertTopic"), "alerts go to this region's topic");
        assertTrue(env.has("BACKUP_RPO") && env.has("BACKUP_RTO"), "the objectives");
        String readme = java.nio.file.Files.readString(projectRoot().resolve("README.md"));
        env.fieldNames().forEachRemaining(name -> {
            if (name.startsWith("BACKUP_") || name.startsWith("RESTORE_TEST_")) {
                assertTrue(readme.contains("| `" + name + "` |"), name + " is a setting of the README's configuration table");
            }
        });
        assertTrue(env.path("BACKUP_KMS_KEY").isMissingNode() && env.path("BACKUP_REPOSITORY").isMissingNode(),
                "the drill is given neither the primary key nor the primary repository");
        // The same artifact and handler as template.yaml's functions (its Globals), from infra/.
        JsonNode globals = template.path("Globals").path("Function");
        assertEquals("../" + globals.path("CodeUri").asText(), p.path("CodeUri").asText());
        assertEquals(globals.path("Handler"), p.path("Handler"));
        JsonNode schedule = p.path("Events").path("QuarterlyDrill").path("Properties");
        assertEquals("cron(0 7 15 1,4,7,10 ? *)", schedule.path("ScheduleExpression").asText(), "quarterly");
        assertTrue(schedule.path("Input").asText().contains("\"schedule\""), "a scheduler event, which the drill takes as {}");
        assertEquals("HasDrill", fn.path("Condition").asText());
    }

    @Test
    void theAlarmsWatchWhatTheDrillEmitsAndTheDashboardShowsThem() {
        DrDrillReport sample = new DrDrillReport("failed", List.of("x"), Instant.now(), "eu-west-1", "s3://b/backups", null, "id",
                null, null, null, List.of(), null, "PT1S", "PT2H", "PT2H", false, null, null, 1, null, null, 1000L, 1L, 1L, 1.0,
                "PT1S", "PT4H", true, true, null, "db", null);
        Map<String, ?> emitted = sample.metrics();
        String dashboard = asSubString(resource("Dashboard").path("Properties").path("DashboardBody"));
        for (String alarm : List.of("DrDrillRpoMissedAlarm", "DrDrillRtoMissedAlarm")) {
            JsonNode p = resource(alarm).path("Properties");
            assertEquals("TaskMasterBackup", p.path("Namespace").asText());
            assertTrue(emitted.containsKey(p.path("MetricName").asText()), alarm + " watches " + p.path("MetricName") + ", emitted: " + emitted.keySet());
            assertTrue(isRef(p.path("Dimensions").path(0).path("Value"), "DatabaseName"), alarm + ": Database dimension");
        }
        for (String alarm : List.of("DrDrillFunctionErrorsAlarm", "DrDrillRpoMissedAlarm", "DrDrillRtoMissedAlarm")) {
            assertTrue(dashboard.contains("${" + alarm + ".Arn}"), "the dashboard shows " + alarm);
        }
        for (String metric : List.of("DrDrillAchievedRpoSeconds", "DrDrillRpoSeconds", "DrDrillReplicationLagSeconds",
                "DrDrillRestoreSeconds", "DrDrillEstimatedSeconds", "DrDrillRtoSeconds")) {
            assertTrue(emitted.containsKey(metric), metric + " is emitted");
            assertTrue(dashboard.contains("\"" + metric + "\""), "the dashboard shows " + metric);
        }
    }
}
