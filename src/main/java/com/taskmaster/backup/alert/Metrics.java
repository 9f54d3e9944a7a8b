package com.taskmaster.backup.alert;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.taskmaster.backup.support.Json;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Collections;
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

    /** CloudWatch units, as CloudWatch spells them. */
    public enum Unit {
        COUNT("Count"), BYTES("Bytes"), SECONDS("Seconds"), NONE("None");

        private final String cloudWatchName;

        Unit(String cloudWatchName) {
            this.cloudWatchName = cloudWatchName;
        }

        public String cloudWatchName() {
            return cloudWatchName;
        }
    }

    /** One metric value and its unit. */
    public record Value(double value, Unit unit) {
    }

    /** Metrics in the order they are added; results build theirs with it. */
    public static final class Builder {
        private final Map<String, Value> values = new LinkedHashMap<>();

        public Builder add(String name, double value, Unit unit) {
            values.put(name, new Value(value, unit));
            return this;
        }

        public Map<String, Value> build() {
            return Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One EMF line with every metric, for the database's dimension; no line when there is nothing to emit. */
    public void emit(String database, Map<String, Value> metrics) {
        if (metrics.isEmpty()) {
            return;
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode aws = root.putObject("_aws");
        aws.put("Timestamp", clock.millis());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        directive.putArray("Dimensions").addArray().add("Database");
        ArrayNode defs = directive.putArray("Metrics");
        root.put("Database", database == null ? "unknown" : database);
        for (Map.Entry<String, Value> m : metrics.entrySet()) {
            defs.addObject().put("Name", m.getKey()).put("Unit", m.getValue().unit().cloudWatchName());
            root.put(m.getKey(), m.getValue().value());
        }
        out.println(root);
        out.flush();
    }
}
