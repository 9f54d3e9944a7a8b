package com.taskmaster.backup.prune;

import com.taskmaster.backup.support.InvalidRequestException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated prune request. A manual run ({@code {}} or {@code {"dryRun": true|false}}) is a dry run unless it
 * says {@code "dryRun": false}; a scheduled event (EventBridge Scheduler {@code {"schedule", "scheduledTime"}}
 * or an EventBridge rule's "Scheduled Event") runs for real. A manual run may add {@code "acceptListing": N}: the
 * operator confirms that the catalog now holds N backups, lifting the "listing shrank" interlock for this run only
 * when N is exactly the number listed.
 *
 * @param trigger       {@code manual} or {@code scheduled:<name>}, for the audit trail
 * @param acceptListing null, or the number of backups the operator confirms the listing holds
 */
public record PruneRequest(boolean dryRun, String trigger, Integer acceptListing) {
    public PruneRequest(boolean dryRun, String trigger) {
        this(dryRun, trigger, null);
    }

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
            if (!Set.of("dryRun", "acceptListing").contains(key)) {
                throw new InvalidRequestException("unknown field '" + printable(key) + "' in prune request; accepted: "
                        + "{\"dryRun\": true} (the default) or {\"dryRun\": false}, optionally with \"acceptListing\": <number of "
                        + "backups listed>, or a scheduled event");
            }
        }
        Object dryRunField = event.getOrDefault("dryRun", Boolean.TRUE);
        if (!(dryRunField instanceof Boolean dryRun)) {
            throw new InvalidRequestException("field 'dryRun' must be true or false (a JSON boolean, not a string)");
        }
        Integer accept = null;
        if (event.containsKey("acceptListing")) {
            if (!(event.get("acceptListing") instanceof Integer n) || n < 0) {
                throw new InvalidRequestException("field 'acceptListing' must be the number of backups listed (a JSON integer >= 0)");
            }
            accept = n;
        }
        return new PruneRequest(dryRun, "manual", accept);
    }

    private static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 60 ? p.substring(0, 60) + "..." : p;
    }
}
