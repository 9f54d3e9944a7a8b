package com.taskmaster.backup.alert;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.taskmaster.backup.support.Json;

import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics as CloudWatch Embedded Metric Format log lines (namespace {@code TaskMasterBackup}, dimension
 * {@code Database}): Lambda ships stdout to CloudWatch Logs, which turns these lines into metrics.
 */
public final class Metrics {
    public static final String NAMESPACE = "TaskMasterBackup";
    private final PrintStream out;
    private final Clock clock;

    public Metrics(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** One metric value and its CloudWatch unit. */
    public record Value(double value, String unit) {
    }

    public void emit(String database, Map<String, Value> metrics) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode aws = root.putObject("_aws");
        aws.put("Timestamp", clock.millis());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        directive.putArray("Dimensions").addArray().add("Database");
        ArrayNode defs = directive.putArray("Metrics");
        root.put("Database", database == null ? "unknown" : database);
        for (Map.Entry<String, Value> m : metrics.entrySet()) {
            defs.addObject().put("Name", m.getKey()).put("Unit", m.getValue().unit());
            root.put(m.getKey(), m.getValue().value());
        }
        out.println(root);
        out.flush();
    }

    public static Map<String, Value> of(Object... nameValueUnit) {
        Map<String, Value> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValueUnit.length; i += 3) {
            m.put((String) nameValueUnit[i], new Value(((Number) nameValueUnit[i + 1]).doubleValue(), (String) nameValueUnit[i + 2]));
        }
        return m;
    }
}
