package com.taskmaster.backup.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.alert.Metrics;

import java.util.List;
import java.util.Map;

import static com.taskmaster.backup.alert.Metrics.Unit.BYTES;
import static com.taskmaster.backup.alert.Metrics.Unit.COUNT;
import static com.taskmaster.backup.alert.Metrics.Unit.NONE;

/**
 * What the {@code report} handler returns: where the page is, the verdict, and the capacity forecast's warning.
 *
 * @param failures          the checks that fail, "name: headline"
 * @param capacity          the first limit on the trends, in words ("backup: duration reaches 14 min 30 s ... on ..."), or null
 * @param daysUntilLimit    days until that limit (0: reached), or null when none is on the trends
 * @param capacityWarning   a limit is reached within the warning horizon (or already): the handler alerts
 * @param unreadable        records skipped because they could not be read
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReportResult(String report, String latest, long bytes, String database, boolean ready, List<String> failures,
                           boolean capacityWarning, String capacity, Long daysUntilLimit, int backups, int verifications,
                           int restoreTests, int pruneRuns, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> unreadable) {

    static ReportResult of(Readiness r, String report, String latest, long bytes, List<String> unreadable) {
        ReadinessInput in = r.input();
        String capacity = r.forecast().first().map(p -> Readiness.describe(p, r.now())).orElse(null);
        Long days = r.forecast().daysUntilFirstLimit().isPresent() ? r.forecast().daysUntilFirstLimit().getAsLong() : null;
        return new ReportResult(report, latest, bytes, in.database(), r.ready(),
                r.failures().stream().map(c -> c.name() + ": " + c.headline()).toList(), r.forecast().warning(), capacity, days,
                (int) in.backups().stream().filter(ReadinessInput.Backup::present).count(), in.verifications().size(),
                in.restoreTests().size(), in.pruneRuns().size(), List.copyOf(unreadable));
    }

    /** ReadinessReady (1/0), ReadinessCapacityWarning (1/0, the alarm's), ReadinessDaysToLimit when a limit is on the trends. */
    public Map<String, Metrics.Value> metrics() {
        Metrics.Builder m = Metrics.builder().add("ReadinessReady", ready ? 1 : 0, NONE)
                .add("ReadinessCapacityWarning", capacityWarning ? 1 : 0, COUNT)
                .add("ReadinessReportBytes", bytes, BYTES);
        if (daysUntilLimit != null) {
            m.add("ReadinessDaysToLimit", daysUntilLimit, NONE);
        }
        return m.build();
    }

    /** The alert's text when {@link #capacityWarning()}: the limit and when. */
    public String warning() {
        return "capacity forecast: " + capacity + " (report: " + report + ")";
    }
}
