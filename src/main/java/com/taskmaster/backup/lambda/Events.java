package com.taskmaster.backup.lambda;

import com.taskmaster.backup.support.InvalidRequestException;

import java.util.LinkedHashMap;
import java.util.Map;

/** Shapes of incoming events. */
final class Events {
    private Events() {
    }

    /** The event as a JSON object; {@code null} counts as {@code {}}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object event) {
        if (event == null) {
            return Map.of();
        }
        if (event instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), v));
            return copy;
        }
        throw new InvalidRequestException("the event must be a JSON object, e.g. {} or {\"label\": \"pre-migration\"}");
    }

    /**
     * For a handler that takes no parameters: {@code {}}, null, a scheduler event ({@code "schedule"}) or an EventBridge
     * event ({@code "source"} and {@code "detail-type"}), the last two ignored.
     */
    static void none(Object event, String handler) {
        Map<String, Object> e = object(event);
        if (!e.isEmpty() && !e.containsKey("schedule") && !(e.containsKey("detail-type") && e.containsKey("source"))) {
            throw new InvalidRequestException(handler + " takes no parameters: invoke it with {}");
        }
    }
}
