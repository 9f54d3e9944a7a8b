package com.taskmaster.backup.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.support.Redactor;

import java.time.Instant;

/**
 * One alert: which handler failed, for which database (and backup, when known), why, in which invocation.
 * {@code severity} is null for a failure and {@code "warning"} for a warning that fails nothing (the readiness report's
 * capacity forecast); {@code report}, when set, is a link to the recovery-readiness report (a presigned URL, or a
 * file path for a file repository).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Alert(String handler, String database, String backupId, String error, String requestId, Instant time,
                    String severity, String report) {
    public static final String WARNING = "warning";

    public Alert {
        error = Redactor.redact(error);
    }

    /** A failure alert. */
    public Alert(String handler, String database, String backupId, String error, String requestId, Instant time) {
        this(handler, database, backupId, error, requestId, time, null, null);
    }

    /** A warning: nothing failed, but people should act (e.g. a limit the capacity forecast sees coming). */
    public static Alert warning(String handler, String database, String message, String requestId, Instant time, String report) {
        return new Alert(handler, database, null, message, requestId, time, WARNING, report);
    }

    public Alert withReport(String link) {
        return new Alert(handler, database, backupId, error, requestId, time, severity, link);
    }

    public String subject() {
        String s = "TaskMaster backup: " + handler + (WARNING.equals(severity) ? " warning" : " failed")
                + (database != null ? " for " + database : "");
        return s.length() > 99 ? s.substring(0, 99) : s; // SNS subjects are limited to 100 characters
    }

    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
