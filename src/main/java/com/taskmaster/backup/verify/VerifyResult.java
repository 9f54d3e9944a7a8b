package com.taskmaster.backup.verify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.alert.Metrics;
import com.taskmaster.backup.format.Verification;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.taskmaster.backup.alert.Metrics.Unit.COUNT;
import static com.taskmaster.backup.alert.Metrics.Unit.SECONDS;

/**
 * What a verify run found: each backup checked (outcome and reason), freshness, and the failures that make the
 * invocation fail (integrity, replica, staleness, anomalies, unreadable manifests).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record VerifyResult(List<Checked> checked, Freshness freshness, List<String> unreadableManifests, List<String> failures,
                           Backlog backlog) {

    public VerifyResult(List<Checked> checked, Freshness freshness, List<String> unreadableManifests, List<String> failures) {
        this(checked, freshness, unreadableManifests, failures, null);
    }

    /**
     * The backups due that this run left for the next (its deadline came first): how many, and the one unverified the
     * longest ({@code unverifiedSince}: its latest verdict, or its snapshot when it never had one), against
     * {@code maxUnverified} (BACKUP_VERIFY_MAX_UNVERIFIED): past it, the run fails.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Backlog(int count, String oldestBackupId, Instant unverifiedSince, String maxUnverified) {
    }

    /**
     * One backup: {@code outcome} passed/failed/error/skipped ({@link Verification}), {@code replica}
     * identical/missing/different/unreadable/pending/not configured.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Checked(String backupId, Verification.Outcome outcome, String reason, Integer tables, String replica,
                          List<String> anomalies, long durationMs, String record) {
    }

    /** The newest backup (its database and snapshot time) and whether it is within the RPO. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Freshness(String newestBackupId, String database, Instant newestTakenAt, String rpo, boolean ok, String reason) {
    }

    /** Replica states that are a problem ({@code pending} is a young backup S3 has not replicated yet). */
    private static final Set<String> REPLICA_PROBLEMS = Set.of("missing", "different", "unreadable");

    public boolean ok() {
        return failures.isEmpty();
    }

    /** The ids of the backups that failed, could not be checked (error) or showed anomalies, for the alert. */
    public String failedBackupIds() {
        List<String> ids = new ArrayList<>();
        for (Checked c : checked) {
            if (c.outcome() == Verification.Outcome.failed || c.outcome() == Verification.Outcome.error
                    || !c.anomalies().isEmpty()) {
                ids.add(c.backupId());
            }
        }
        return ids.isEmpty() ? null : String.join(",", ids);
    }

    /**
     * The run as CloudWatch metrics (template.yaml's dashboard and verify alarms): exactly one of
     * {@code VerifySuccess}/{@code VerifyFailure}, how many backups passed, failed (a backup that could not be checked,
     * outcome {@code error}, counts as failed: no new metric, the dashboard's failed line shows it) or were skipped, how many
     * replicas were missing, different or unreadable, how many anomalies, the backlog ({@code VerifyBacklog}: backups
     * due but left for the next run; {@code VerifyOldestUnverifiedAgeSeconds} when there is one), and the newest
     * backup's age at {@code now} (absent when there is no backup).
     */
    public Map<String, Metrics.Value> metrics(Instant now) {
        long passed = count(Verification.Outcome.passed);
        long failed = count(Verification.Outcome.failed) + count(Verification.Outcome.error);
        long skipped = count(Verification.Outcome.skipped);
        long replicaProblems = checked.stream().filter(c -> c.replica() != null && REPLICA_PROBLEMS.contains(c.replica())).count();
        long anomalies = checked.stream().mapToLong(c -> c.anomalies() == null ? 0 : c.anomalies().size()).sum();
        Metrics.Builder m = Metrics.builder()
                .add(ok() ? "VerifySuccess" : "VerifyFailure", 1, COUNT)
                .add("VerifyBackupsPassed", passed, COUNT)
                .add("VerifyBackupsFailed", failed, COUNT)
                .add("VerifyBackupsSkipped", skipped, COUNT)
                .add("VerifyReplicaProblems", replicaProblems, COUNT)
                .add("VerifyAnomalies", anomalies, COUNT);
        if (backlog != null) {
            m.add("VerifyBacklog", backlog.count(), COUNT);
            if (backlog.unverifiedSince() != null) {
                m.add("VerifyOldestUnverifiedAgeSeconds", Duration.between(backlog.unverifiedSince(), now).toMillis() / 1000.0, SECONDS);
            }
        }
        if (freshness != null && freshness.newestTakenAt() != null) {
            m.add("NewestBackupAgeSeconds", Duration.between(freshness.newestTakenAt(), now).toMillis() / 1000.0, SECONDS);
        }
        return m.build();
    }

    /** The database of the newest backup (the metrics' Database dimension), or null when there is none. */
    public String database() {
        return freshness == null ? null : freshness.database();
    }

    private long count(Verification.Outcome outcome) {
        return checked.stream().filter(c -> c.outcome() == outcome).count();
    }
}
