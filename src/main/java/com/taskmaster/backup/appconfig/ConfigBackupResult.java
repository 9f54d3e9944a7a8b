package com.taskmaster.backup.appconfig;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.alert.Metrics;
import com.taskmaster.backup.format.ConfigManifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What config-backup returns: the snapshot now holding the live configuration ({@code duplicate}: an earlier one,
 * nothing written), the previous one, the drift from it (names only), the counts ({@code taskDefinitions}: the ECS task
 * definition families, also in the counts since they count them), and a problem with the previous snapshot if it could
 * not be read.
 * {@code baselineDrift}: what differs from the declared baseline {@code config/baseline.json} (absent when there is
 * none); {@code baselineProblem}: why the baseline could not be used. {@code snapshotAgeSeconds}: how old the snapshot
 * holding the configuration is.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigBackupResult(String snapshotId, boolean duplicate, String previousSnapshotId, ConfigDrift drift,
                                 ConfigManifest.Counts counts, int taskDefinitions, String previousProblem, ConfigDrift baselineDrift,
                                 String baselineProblem, long snapshotAgeSeconds) {

    /**
     * Worth an alert: something changed since a previous snapshot (the first snapshot is no drift), the live
     * configuration differs from the declared baseline, or a snapshot or the baseline could not be read.
     */
    @JsonIgnore
    public boolean drifted() {
        return drift.count() > 0 || previousProblem != null || baselineCount() > 0 || baselineProblem != null;
    }

    @JsonIgnore
    private int baselineCount() {
        return baselineDrift == null ? 0 : baselineDrift.count();
    }

    /** For the alert: names only. */
    public String driftMessage() {
        List<String> parts = new ArrayList<>();
        if (previousProblem != null) {
            parts.add(previousProblem);
        } else if (drift.count() > 0) {
            parts.add("configuration drift since snapshot " + previousSnapshotId + ": " + drift.describe() + "; new snapshot " + snapshotId);
        }
        if (baselineCount() > 0) {
            parts.add("live configuration differs from the declared baseline " + ConfigBaseline.KEY + ": " + baselineDrift.describe());
        }
        if (baselineProblem != null) {
            parts.add(baselineProblem);
        }
        return String.join("; ", parts);
    }

    /**
     * {@code ConfigDrift} (names changed since the previous snapshot plus names differing from the declared baseline, so
     * that the one drift alarm covers both), {@code ConfigBaselineDrift} (the baseline's part alone; 0 without a
     * baseline), {@code ConfigSnapshotWritten}, {@code ConfigSnapshotAgeSeconds}, {@code ConfigBackupSucceeded}.
     */
    public Map<String, Metrics.Value> metrics() {
        return Metrics.builder()
                .add("ConfigDrift", drift.count() + baselineCount(), Metrics.Unit.COUNT)
                .add("ConfigBaselineDrift", baselineCount(), Metrics.Unit.COUNT)
                .add("ConfigSnapshotWritten", duplicate ? 0 : 1, Metrics.Unit.COUNT)
                .add("ConfigSnapshotAgeSeconds", snapshotAgeSeconds, Metrics.Unit.SECONDS)
                .add("ConfigBackupSucceeded", 1, Metrics.Unit.COUNT)
                .build();
    }

    public static Map<String, Metrics.Value> failureMetrics() {
        return Metrics.builder().add("ConfigBackupSucceeded", 0, Metrics.Unit.COUNT).build();
    }
}
