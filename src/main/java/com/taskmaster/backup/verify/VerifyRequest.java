package com.taskmaster.backup.verify;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.support.InvalidRequestException;

import java.util.Map;
import java.util.Optional;

/** {@code {}} (scheduled or manual: the newest backup and those not verified within the window) or {@code {"backupId": "..."}}. */
public record VerifyRequest(Optional<BackupId> backupId) {

    public static VerifyRequest fromEvent(Map<String, Object> event) {
        if (event == null || event.isEmpty() || isScheduledEvent(event)) {
            return new VerifyRequest(Optional.empty());
        }
        for (String key : event.keySet()) {
            if (!key.equals("backupId")) {
                throw new InvalidRequestException("unknown field '" + printable(key)
                        + "' in verify request; accepted: {} or {\"backupId\": \"20261128T020000Z-daily\"}");
            }
        }
        if (!(event.get("backupId") instanceof String id)) {
            throw new InvalidRequestException("field 'backupId' must be a string, e.g. \"20261128T020000Z-daily\"");
        }
        try {
            return new VerifyRequest(Optional.of(BackupId.parse(id)));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    /** EventBridge Scheduler input ({"schedule": ...}) or a rule's "Scheduled Event": both mean "the usual run". */
    private static boolean isScheduledEvent(Map<String, Object> event) {
        return event.containsKey("schedule") || "Scheduled Event".equals(event.get("detail-type"));
    }

    private static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 64 ? p.substring(0, 64) + "..." : p;
    }
}
