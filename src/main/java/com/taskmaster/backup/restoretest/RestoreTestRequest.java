package com.taskmaster.backup.restoretest;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.support.InvalidRequestException;

import java.util.Map;
import java.util.Optional;

/** {@code {}} (the monthly schedule: the newest verified backup) or {@code {"backupId": "..."}}. */
public record RestoreTestRequest(Optional<BackupId> backupId) {

    public static RestoreTestRequest fromEvent(Map<String, Object> event) {
        if (event == null || event.isEmpty() || event.containsKey("schedule") || "Scheduled Event".equals(event.get("detail-type"))) {
            return new RestoreTestRequest(Optional.empty());
        }
        for (String key : event.keySet()) {
            if (!key.equals("backupId")) {
                throw new InvalidRequestException("unknown field '" + key.replaceAll("[^\\x20-\\x7e]", "?")
                        + "' in restore-test request; accepted: {} or {\"backupId\": \"20261128T020000Z-daily\"}");
            }
        }
        if (!(event.get("backupId") instanceof String id)) {
            throw new InvalidRequestException("field 'backupId' must be a string, e.g. \"20261128T020000Z-daily\"");
        }
        try {
            return new RestoreTestRequest(Optional.of(BackupId.parse(id)));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }
}
