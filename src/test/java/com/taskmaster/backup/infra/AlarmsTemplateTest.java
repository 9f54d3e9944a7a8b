package com.taskmaster.backup.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.verify.VerifySettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Alarms and dashboard: every function has an errors alarm, every alarm notifies the alert topic, the
 * backup and verify alarms watch the metrics the code emits, and the dashboard plots every metric and alarm.
 */
class AlarmsTemplateTest {
    @BeforeAll
    static void load() throws IOException {
        TemplateReader.load();
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
    void noRecentBackupAlarmWatchesTheEmfSuccessMetricFor2HoursWithHourlyBackupsElse26() throws IOException {
        JsonNode p = template.path("Resources").path("NoRecentBackupAlarm").path("Properties");
        assertEquals(METRIC_NAMESPACE, p.path("Namespace").asText());
        assertEquals("BackupSuccess", p.path("MetricName").asText());
        assertEquals(METRIC_DIMENSION, p.path("Dimensions").path(0).path("Name").asText());
        assertTrue(isRef(p.path("Dimensions").path(0).path("Value"), "DatabaseName"), "dimension value = DatabaseName");
        assertEquals("Sum", p.path("Statistic").asText());
        int period = p.path("Period").asInt();
        JsonNode periods = p.path("EvaluationPeriods").path("Fn::If");
        assertEquals("HourlyEnabled", periods.path(0).asText(), "EvaluationPeriods must be Fn::If [HourlyEnabled, ...]");
        assertEquals(2 * 3600, period * periods.path(1).asInt(), "2-hour window with hourly backups (one missed hour)");
        assertEquals(26 * 3600, period * periods.path(2).asInt(), "26-hour window with daily backups");
        assertEquals(periods, p.path("DatapointsToAlarm").path("Fn::If"),
                "all periods must be breaching (no success at all in the window)");
        int evaluationPeriods = periods.path(2).asInt();
        assertTrue(period >= 3600 || period * evaluationPeriods <= 86_400,
                "CloudWatch: total evaluation range > 1 day needs a period of at least 1 hour");
        assertTrue(period * evaluationPeriods <= 604_800, "CloudWatch: evaluation range at most 7 days");
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
        codeMetrics.addAll(CONFIG_METRICS);
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
}
