package com.taskmaster.backup.appconfig;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.support.InvalidRequestException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated config-restore request: {@code {"snapshotId": ...}} or {@code {"at": "<ISO-8601 UTC>"}} (the newest
 * snapshot taken then or before) or neither (the newest snapshot); a dry run unless {@code "confirm"} names the very
 * snapshot chosen; {@code "deleteMissing": true} also deletes the parameters and environment variables the snapshot
 * lacks (never secrets). Anything else is refused before anything is read.
 */
public record ConfigRestoreRequest(Optional<BackupId> snapshotId, Optional<Instant> at, Optional<String> confirm, boolean deleteMissing) {
    private static final Set<String> FIELDS = Set.of("snapshotId", "at", "confirm", "deleteMissing");
    private static final String EXPECTED = "expected {\"snapshotId\": \"<id>\"} or {\"at\": \"2026-12-01T12:00:00Z\"} (dry run),"
            + " with \"confirm\": \"<that snapshot id>\" to write it back, and optionally \"deleteMissing\": true";

    public static ConfigRestoreRequest fromEvent(Map<String, Object> event) {
        for (String key : event.keySet()) {
            if (!FIELDS.contains(key)) {
                throw new InvalidRequestException("unknown field '" + printable(key) + "' in config-restore request; " + EXPECTED);
            }
        }
        if (event.containsKey("snapshotId") && event.containsKey("at")) {
            throw new InvalidRequestException("give 'snapshotId' or 'at', not both; " + EXPECTED);
        }
        Optional<BackupId> id = Optional.empty();
        if (event.containsKey("snapshotId")) {
            id = Optional.of(snapshotId(event.get("snapshotId"), "snapshotId"));
        }
        Optional<Instant> at = Optional.empty();
        if (event.containsKey("at")) {
            if (!(event.get("at") instanceof String s)) {
                throw new InvalidRequestException("field 'at' must be an ISO-8601 UTC time string; " + EXPECTED);
            }
            try {
                at = Optional.of(Instant.parse(s));
            } catch (DateTimeParseException e) {
                throw new InvalidRequestException("invalid 'at': '" + printable(s) + "' is not an ISO-8601 UTC time such as 2026-12-01T12:00:00Z");
            }
        }
        Optional<String> confirm = Optional.empty();
        if (event.containsKey("confirm")) {
            confirm = Optional.of(snapshotId(event.get("confirm"), "confirm").value());
        }
        Object delete = event.getOrDefault("deleteMissing", Boolean.FALSE);
        if (!(delete instanceof Boolean deleteMissing)) {
            throw new InvalidRequestException("field 'deleteMissing' must be true or false (a JSON boolean)");
        }
        return new ConfigRestoreRequest(id, at, confirm, deleteMissing);
    }

    private static BackupId snapshotId(Object value, String field) {
        if (!(value instanceof String s)) {
            throw new InvalidRequestException("field '" + field + "' must be a snapshot id string such as 20261202T150000Z-config-k3f9q2");
        }
        try {
            BackupId id = BackupId.parse(s);
            if (!id.value().substring(17).startsWith("config-")) {
                throw new IllegalArgumentException("not a configuration snapshot id");
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("field '" + field + "': '" + printable(s) + "' is not a configuration snapshot id"
                    + " (e.g. 20261202T150000Z-config-k3f9q2, as config-backup and list return)");
        }
    }

    private static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 80 ? p.substring(0, 80) + "..." : p;
    }
}
