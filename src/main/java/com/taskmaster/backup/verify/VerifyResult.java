package com.taskmaster.backup.verify;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a verify run found: each backup checked (outcome and reason), freshness, and the failures that make the
 * invocation fail (integrity, replica, staleness, anomalies, unreadable manifests).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record VerifyResult(List<Checked> checked, Freshness freshness, List<String> unreadableManifests, List<String> failures) {

    /** One backup: {@code outcome} passed/failed/skipped, {@code replica} identical/missing/different/pending/not configured. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Checked(String backupId, Verification.Outcome outcome, String reason, Integer tables, String replica,
                          List<String> anomalies, long durationMs, String record) {
    }

    /** The newest backup's snapshot time and whether it is within the RPO. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Freshness(String newestBackupId, Instant newestTakenAt, String rpo, boolean ok, String reason) {
    }

    public boolean ok() {
        return failures.isEmpty();
    }

    /** The ids of the backups that failed or showed anomalies, for the alert. */
    public String failedBackupIds() {
        List<String> ids = new ArrayList<>();
        for (Checked c : checked) {
            if (c.outcome() == Verification.Outcome.failed || !c.anomalies().isEmpty()) {
                ids.add(c.backupId());
            }
        }
        return ids.isEmpty() ? null : String.join(",", ids);
    }
}
