package com.taskmaster.backup.appconfig;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.alert.Metrics;
import com.taskmaster.backup.format.ConfigManifest;

import java.util.Map;

/**
 * What config-backup returns: the snapshot now holding the live configuration ({@code duplicate}: an earlier one,
 * nothing written), the previous one, the drift from it (names only), the counts, and a problem with the previous
 * snapshot if it could not be read. {@code snapshotAgeSeconds}: how old the snapshot holding the configuration is.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigBackupResult(String snapshotId, boolean duplicate, String previousSnapshotId, ConfigDrift drift,
                                 ConfigManifest.Counts counts, String previousProblem, long snapshotAgeSeconds) {

    /** Drifted: something changed since a previous snapshot (the first snapshot is no drift). */
    @JsonIgnore
    public boolean drifted() {
        return drift.count() > 0 || previousProblem != null;
    }

    /** For the alert: names only. */
    public String driftMessage() {
        return previousProblem != null ? previousProblem
                : "configuration drift since snapshot " + previousSnapshotId + ": " + drift.describe() + "; new snapshot " + snapshotId;
    }

    /** {@code ConfigDrift} (names changed), {@code ConfigSnapshotWritten}, {@code ConfigSnapshotAgeSeconds}, {@code ConfigBackupSucceeded}. */
    public Map<String, Metrics.Value> metrics() {
        return Metrics.builder()
                .add("ConfigDrift", drift.count(), Metrics.Unit.COUNT)
                .add("ConfigSnapshotWritten", duplicate ? 0 : 1, Metrics.Unit.COUNT)
                .add("ConfigSnapshotAgeSeconds", snapshotAgeSeconds, Metrics.Unit.SECONDS)
                .add("ConfigBackupSucceeded", 1, Metrics.Unit.COUNT)
                .build();
    }

    public static Map<String, Metrics.Value> failureMetrics() {
        return Metrics.builder().add("ConfigBackupSucceeded", 0, Metrics.Unit.COUNT).build();
    }
}
