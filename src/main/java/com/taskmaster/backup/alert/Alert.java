package com.taskmaster.backup.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.support.Redactor;

import java.time.Instant;

/** One alert: which handler failed, for which database (and backup, when known), why, in which invocation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Alert(String handler, String database, String backupId, String error, String requestId, Instant time) {
    public Alert {
        error = Redactor.redact(error);
    }

    public String subject() {
        String s = "TaskMaster backup: " + handler + " failed" + (database != null ? " for " + database : "");
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
