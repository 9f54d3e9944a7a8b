package com.taskmaster.backup.prune;

import com.taskmaster.backup.backup.InvalidRequestException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated prune request. A manual run ({@code {}} or {@code {"dryRun": true|false}}) is a dry run unless it
 * says {@code "dryRun": false}; a scheduled event (EventBridge Scheduler {@code {"schedule", "scheduledTime"}}
 * or an EventBridge rule's "Scheduled Event") runs for real.
 *
 * @param trigger {@code manual} or {@code scheduled:<name>}, for the audit trail
 */
public record PruneRequest(boolean dryRun, String trigger) {
    private static final Pattern SCHEDULE = Pattern.compile("[a-z0-9]+(-[a-z0-9]+){0,3}");

    public static PruneRequest fromEvent(Map<String, Object> event) {
        if (event == null || event.isEmpty()) {
            return new PruneRequest(true, "manual");
        }
        if ("aws.events".equals(event.get("source")) && "Scheduled Event".equals(event.get("detail-type"))) {
            return new PruneRequest(false, "scheduled:eventbridge-rule");
        }
        if (event.containsKey("schedule") || event.containsKey("scheduledTime")) {
            for (String key : event.keySet()) {
                if (!Set.of("schedule", "scheduledTime").contains(key)) {
                    throw new InvalidRequestException("unknown field '" + printable(key) + "' in scheduled prune event; "
                            + "expected {\"schedule\": \"daily\", \"scheduledTime\": \"2026-11-28T03:00:00Z\"}");
                }
            }
            if (!(event.get("schedule") instanceof String schedule) || !SCHEDULE.matcher(schedule).matches()) {
                throw new InvalidRequestException("invalid schedule name: lower-case letters, digits and '-' (e.g. daily)");
            }
            if (!(event.get("scheduledTime") instanceof String time)) {
                throw new InvalidRequestException("missing 'scheduledTime' (an ISO-8601 UTC time such as 2026-11-28T03:00:00Z)");
            }
            try {
                Instant.parse(time);
            } catch (DateTimeParseException e) {
                throw new InvalidRequestException("invalid 'scheduledTime': '" + printable(time)
                        + "' is not an ISO-8601 UTC time such as 2026-11-28T03:00:00Z");
            }
            return new PruneRequest(false, "scheduled:" + schedule);
        }
        for (String key : event.keySet()) {
            if (!key.equals("dryRun")) {
                throw new InvalidRequestException("unknown field '" + printable(key) + "' in prune request; accepted: "
                        + "{\"dryRun\": true} (the default) or {\"dryRun\": false}, or a scheduled event");
            }
        }
        if (!(event.get("dryRun") instanceof Boolean dryRun)) {
            throw new InvalidRequestException("field 'dryRun' must be true or false (a JSON boolean, not a string)");
        }
        return new PruneRequest(dryRun, "manual");
    }

    private static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 60 ? p.substring(0, 60) + "..." : p;
    }
}
