package com.taskmaster.backup.format;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.Objects;

/** What started a backup: a person ({@code manual}) or a schedule ({@code scheduled}, with its name and time). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Trigger(String type, String schedule, Instant scheduledTime, String eventId) {
    public static final String MANUAL = "manual";
    public static final String SCHEDULED = "scheduled";

    public Trigger {
        Objects.requireNonNull(type, "type");
        if (!type.equals(MANUAL) && !type.equals(SCHEDULED)) {
            throw new IllegalArgumentException("unknown trigger type " + type);
        }
        if (type.equals(SCHEDULED) && (schedule == null || scheduledTime == null)) {
            throw new IllegalArgumentException("a scheduled trigger needs a schedule and a time");
        }
    }

    public static Trigger manual() {
        return new Trigger(MANUAL, null, null, null);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isScheduled() {
        return type.equals(SCHEDULED);
    }
}
