package com.taskmaster.backup.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.prune.PruneRequest;
import com.taskmaster.backup.restore.RestoreRequest;
import com.taskmaster.backup.restoretest.RestoreTestRequest;
import com.taskmaster.backup.verify.VerifyRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The schedules: backup daily and hourly (HourlyBackups, on by default), prune daily after the backup, verify weekly,
 * restore-test monthly, restore manual only; each schedule delivers an event the handler accepts.
 */
class SchedulesTemplateTest {
    @BeforeAll
    static void load() throws IOException {
        TemplateReader.load();
    }


    /**
     * PROCEDURES.md: RPO 1 hour (hourly backups). The default deployment takes hourly backups, and the template's
     * rules refuse exactly the deployments that declare a 1-hour RPO without hourly backups.
     */
    @Test
    void theDefaultDeploymentMeetsTheOneHourRpoAndRulesRefuseOneThatCannot() {
        JsonNode parameters = template.path("Parameters");
        assertEquals("true", parameters.path("HourlyBackups").path("Default").asText(), "HourlyBackups default");
        assertEquals("1h", parameters.path("RecoveryPointObjective").path("Default").asText(), "declared RPO default");
        for (String hourly : List.of("true", "false")) {
            for (String rpo : List.of("1h", "1d")) {
                Map<String, String> values = Map.of("HourlyBackups", hourly, "RecoveryPointObjective", rpo,
                        "ReplicaBucketName", "", "ReplicaKmsKeyArn", "", "SecondaryRegion", "",
                        "DatabaseIamAuth", "false", "DatabaseIamUser", "", "DatabaseResourceId", "");
                boolean accepted = rulesAccept(values);
                assertEquals(!("1h".equals(rpo) && "false".equals(hourly)), accepted,
                        "HourlyBackups=" + hourly + " RecoveryPointObjective=" + rpo);
            }
        }
    }

    /** Evaluates the template's Rules (Ref, Fn::Equals, Fn::Not, Fn::And, Fn::Or) as CloudFormation would. */
    private static boolean rulesAccept(Map<String, String> parameters) {
        for (Iterator<JsonNode> rules = template.path("Rules").elements(); rules.hasNext(); ) {
            JsonNode rule = rules.next();
            if (rule.has("RuleCondition") && !truth(rule.path("RuleCondition"), parameters)) {
                continue;
            }
            for (JsonNode assertion : rule.path("Assertions")) {
                if (!truth(assertion.path("Assert"), parameters)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean truth(JsonNode node, Map<String, String> parameters) {
        if (node.has("Fn::Equals")) {
            return value(node.path("Fn::Equals").path(0), parameters).equals(value(node.path("Fn::Equals").path(1), parameters));
        }
        if (node.has("Fn::Not")) {
            return !truth(node.path("Fn::Not").path(0), parameters);
        }
        if (node.has("Fn::And") || node.has("Fn::Or")) {
            boolean and = node.has("Fn::And");
            for (JsonNode part : node.path(and ? "Fn::And" : "Fn::Or")) {
                if (truth(part, parameters) != and) {
                    return !and;
                }
            }
            return and;
        }
        throw new AssertionError("rule function not understood by this test: " + node);
    }

    private static String value(JsonNode node, Map<String, String> parameters) {
        if (node.has("Ref")) {
            String name = node.path("Ref").asText();
            assertTrue(parameters.containsKey(name), "rule refers to a parameter this test does not set: " + name);
            return parameters.get(name);
        }
        assertTrue(node.isValueNode(), "rule value not understood by this test: " + node);
        return node.asText();
    }

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
}
