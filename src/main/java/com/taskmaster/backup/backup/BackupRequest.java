package com.taskmaster.backup.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.support.InvalidRequestException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated backup request, from one of three event shapes:
 * <ul>
 *   <li>manual: {@code {}} or {@code {"label": "pre-migration", "reason": "..."}} (both optional);</li>
 *   <li>EventBridge Scheduler (our template's input): {@code {"schedule": "daily", "scheduledTime": "<aws.scheduler.scheduled-time>"}};</li>
 *   <li>an EventBridge rule's "Scheduled Event": {@code {"source": "aws.events", "detail-type": "Scheduled Event", "time": ..., "resources": [rule ARN]}}.</li>
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupRequest(String label, String reason, Trigger trigger) {
    /** Labels name backups for people and for retention ("keep:..." holds a backup); no spaces, no '/'. */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final Pattern SCHEDULE = Pattern.compile("[a-z0-9]+(-[a-z0-9]+){0,3}");
    private static final Set<String> MANUAL_FIELDS = Set.of("label", "reason");
    private static final int MAX_REASON = 1000;

    public BackupRequest {
        if (label != null && !LABEL.matcher(label).matches()) {
            throw new InvalidRequestException("invalid label: use 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
        }
        if (reason != null && (reason.length() > MAX_REASON || reason.chars().anyMatch(c -> c < 0x20 && c != '\t'))) {
            throw new InvalidRequestException("invalid reason: at most " + MAX_REASON + " characters, no control characters");
        }
        if (trigger == null) {
            throw new InvalidRequestException("missing trigger");
        }
    }

    public static BackupRequest fromEvent(Map<String, Object> event) {
        if (event == null || event.isEmpty()) {
            return new BackupRequest(null, null, Trigger.manual());
        }
        if ("aws.events".equals(event.get("source")) && "Scheduled Event".equals(event.get("detail-type"))) {
            return fromRuleEvent(event);
        }
        if (event.containsKey("schedule") || event.containsKey("scheduledTime")) {
            return fromSchedulerEvent(event);
        }
        for (String key : event.keySet()) {
            if (!MANUAL_FIELDS.contains(key)) {
                throw new InvalidRequestException("unknown field '" + printable(key) + "' in backup request; accepted: "
                        + "{\"label\": \"...\", \"reason\": \"...\"} (both optional), or a scheduled event");
            }
        }
        return new BackupRequest(string(event, "label"), string(event, "reason"), Trigger.manual());
    }

    private static BackupRequest fromSchedulerEvent(Map<String, Object> event) {
        for (String key : event.keySet()) {
            if (!Set.of("schedule", "scheduledTime").contains(key)) {
                throw new InvalidRequestException("unknown field '" + printable(key) + "' in scheduled backup event; "
                        + "expected {\"schedule\": \"daily\", \"scheduledTime\": \"2026-11-28T02:00:00Z\"}");
            }
        }
        String schedule = string(event, "schedule");
        if (schedule == null || !SCHEDULE.matcher(schedule).matches() || schedule.equals("manual")) {
            throw new InvalidRequestException("invalid schedule name: lower-case letters, digits and '-' (e.g. daily, hourly)");
        }
        Instant time = instant(string(event, "scheduledTime"), "scheduledTime");
        return new BackupRequest(null, null, new Trigger(Trigger.SCHEDULED, schedule, time, null));
    }

    private static BackupRequest fromRuleEvent(Map<String, Object> event) {
        Instant time = instant(string(event, "time"), "time");
        String rule = "eventbridge";
        if (event.get("resources") instanceof List<?> resources && !resources.isEmpty()
                && resources.get(0) instanceof String arn && arn.contains("rule/")) {
            String name = arn.substring(arn.lastIndexOf('/') + 1).toLowerCase().replaceAll("[^a-z0-9]+", "-")
                    .replaceAll("^-+|-+$", "");
            String[] parts = name.split("-");
            // keep the id short: the last segments of the rule name (CloudFormation appends a random suffix)
            rule = parts.length > 3 ? String.join("-", List.of(parts).subList(parts.length - 3, parts.length)) : name;
            if (rule.isEmpty() || rule.equals("manual")) {
                rule = "eventbridge";
            }
        }
        Object id = event.get("id");
        return new BackupRequest(null, null, new Trigger(Trigger.SCHEDULED, rule, time, id instanceof String s ? s : null));
    }

    private static String string(Map<String, Object> event, String field) {
        Object v = event.get(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new InvalidRequestException("field '" + field + "' must be a string");
        }
        return s;
    }

    private static Instant instant(String text, String field) {
        if (text == null) {
            throw new InvalidRequestException("missing '" + field + "' (an ISO-8601 UTC time such as 2026-11-28T02:00:00Z)");
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException("invalid '" + field + "': '" + printable(text)
                    + "' is not an ISO-8601 UTC time such as 2026-11-28T02:00:00Z");
        }
    }

    private static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 60 ? p.substring(0, 60) + "..." : p;
    }

    /** The id this request's backup gets: deterministic for scheduled runs. */
    public BackupId backupId(Instant now) {
        return trigger.isScheduled() ? BackupId.scheduled(trigger.scheduledTime(), trigger.schedule()) : BackupId.manual(now);
    }
}
