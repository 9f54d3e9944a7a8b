package com.taskmaster.backup.restoretest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.alert.Metrics;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.SmokeQueries;
import com.taskmaster.backup.support.Json;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.taskmaster.backup.alert.Metrics.Unit.COUNT;
import static com.taskmaster.backup.alert.Metrics.Unit.NONE;
import static com.taskmaster.backup.alert.Metrics.Unit.SECONDS;

/**
 * One restore-test: what was restored where, whether it proved equal, how long it took, what that means for the
 * RTO at the current database size, and whether the scratch database is gone. Stored as JSON and as a short
 * text summary under {@code reports/restore-test/}.
 *
 * @param estimatedFullRestore the measured restore time scaled by (source database size / restored database size), ISO-8601
 * @param rto                  the objective, ISO-8601 (durations as text, not seconds, for people reading the report)
 * @param proof                how the restore was proven equal (content fingerprints, or row counts for an older manifest)
 * @param tables               each table's rows and whether its count and digest were equal
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreTestReport(String outcome, List<String> failures, String backupId, Instant backupTakenAt, boolean verified,
                                String server, String scratchDatabase, Instant startedAt, Integer tablesRestored,
                                Boolean fingerprintsEqual, DatabaseRestore.Roles roles, List<SmokeQueries.Outcome> smokeQueries,
                                Long restoreMs, Long plainBytes, Long restoredDatabaseBytes, Long sourceDatabaseBytes,
                                Double throughputMiBps, String estimatedFullRestore, String rto, Boolean rtoMet,
                                boolean scratchDropped, List<String> leftoversDropped, String report, String database,
                                String proof, List<DatabaseRestore.TableProof> tables) {

    public RestoreTestReport {
        failures = List.copyOf(failures);
        leftoversDropped = List.copyOf(leftoversDropped);
    }

    public boolean passed() {
        return failures.isEmpty();
    }

    /**
     * The run as CloudWatch metrics (template.yaml's alarms and dashboard): outcome, restore time, the estimate at
     * today's size, the RTO (the dashboard's line), and whether it would be met.
     */
    public Map<String, Metrics.Value> metrics() {
        Metrics.Builder m = Metrics.builder().add(passed() ? "RestoreTestSuccess" : "RestoreTestFailure", 1, COUNT);
        if (restoreMs != null) {
            m.add("RestoreTestRestoreSeconds", restoreMs / 1000.0, SECONDS);
        }
        if (estimatedFullRestore != null) {
            m.add("RestoreTestEstimatedSeconds", Duration.parse(estimatedFullRestore).toMillis() / 1000.0, SECONDS);
        }
        if (rto != null) {
            m.add("RestoreTestRtoSeconds", Duration.parse(rto).toSeconds(), SECONDS);
        }
        if (rtoMet != null) {
            m.add("RestoreTestRtoMet", rtoMet ? 1 : 0, NONE);
        }
        return m.build();
    }

    public byte[] toJson() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize the restore-test report", e);
        }
    }

    /** A few lines for people. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("restore-test ").append(outcome.toUpperCase()).append(" at ").append(startedAt).append('\n');
        sb.append("backup ").append(backupId).append(" (taken ").append(backupTakenAt).append(verified ? ", verified" : ", NOT verified")
                .append(") -> scratch database ").append(scratchDatabase).append(" on ").append(server)
                .append(scratchDropped ? " (dropped)" : " (NOT DROPPED: drop it by hand)").append('\n');
        if (restoreMs != null) {
            sb.append(String.format("restored %s tables in %.1f s%s; fingerprints %s%n", tablesRestored, restoreMs / 1000.0,
                    throughputMiBps == null ? "" : String.format(" (%.1f MiB/s of dump)", throughputMiBps),
                    Boolean.TRUE.equals(fingerprintsEqual) ? "equal" : "NOT proven equal"));
        }
        if (estimatedFullRestore != null) {
            sb.append("estimated restore at today's size: ").append(estimatedFullRestore).append(" vs RTO ").append(rto)
                    .append(Boolean.TRUE.equals(rtoMet) ? " (met)" : " (MISSED)").append('\n');
        }
        if (smokeQueries != null && !smokeQueries.isEmpty()) {
            long ok = smokeQueries.stream().filter(SmokeQueries.Outcome::passed).count();
            long notRun = smokeQueries.stream().filter(o -> Boolean.TRUE.equals(o.notRun())).count();
            sb.append("smoke queries: ").append(ok).append('/').append(smokeQueries.size()).append(" passed")
                    .append(notRun > 0 ? " (" + notRun + " not run: out of time)\n" : "\n");
        }
        failures.forEach(f -> sb.append("FAILURE: ").append(f).append('\n'));
        return sb.toString();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects the report as the run goes; the outcome follows from the failures. */
    public static final class Builder {
        private final List<String> failures = new ArrayList<>();
        private Manifest backup;
        private boolean verified;
        private String server;
        private String scratchDatabase;
        private Instant startedAt;
        private DatabaseRestore.Restored restored;
        private List<SmokeQueries.Outcome> smokeQueries;
        private Long restoredDatabaseBytes;
        private Long sourceDatabaseBytes;
        private Double throughputMiBps;
        private Duration estimatedFullRestore;
        private Duration rto;
        private Boolean rtoMet;
        private boolean scratchDropped;
        private List<String> leftoversDropped = List.of();
        private String report;

        private Builder() {
        }

        /** What the plan decided: the backup, whether it was verified, and where it goes. */
        public Builder plan(RestoreTestPlan plan) {
            this.backup = plan.backup();
            this.verified = plan.verified();
            this.server = plan.server();
            this.scratchDatabase = plan.scratchDatabase();
            return this;
        }

        public Builder startedAt(Instant startedAt) {
            this.startedAt = startedAt;
            return this;
        }

        public Builder failure(String failure) {
            failures.add(failure);
            return this;
        }

        /** The failures so far (the run's own list, without what {@link #build} adds later). */
        public List<String> failures() {
            return List.copyOf(failures);
        }

        public Builder restored(DatabaseRestore.Restored restored) {
            this.restored = restored;
            return this;
        }

        public DatabaseRestore.Restored restored() {
            return restored;
        }

        public Builder smokeQueries(List<SmokeQueries.Outcome> outcomes) {
            this.smokeQueries = outcomes;
            return this;
        }

        public Builder restoredDatabaseBytes(Long bytes) {
            this.restoredDatabaseBytes = bytes;
            return this;
        }

        public Long restoredDatabaseBytes() {
            return restoredDatabaseBytes;
        }

        public Builder sourceDatabaseBytes(Long bytes) {
            this.sourceDatabaseBytes = bytes;
            return this;
        }

        public Long sourceDatabaseBytes() {
            return sourceDatabaseBytes;
        }

        /** The measured restore against the RTO: throughput, the estimate at the source's size, whether it is met. */
        public Builder timing(Double throughputMiBps, Duration estimatedFullRestore, Duration rto, Boolean rtoMet) {
            this.throughputMiBps = throughputMiBps;
            this.estimatedFullRestore = estimatedFullRestore;
            this.rto = rto;
            this.rtoMet = rtoMet;
            return this;
        }

        public Builder scratchDropped(boolean dropped) {
            this.scratchDropped = dropped;
            return this;
        }

        public Builder leftoversDropped(List<String> names) {
            this.leftoversDropped = names;
            return this;
        }

        /** Where the report is stored (null: it could not be). */
        public Builder report(String uri) {
            this.report = uri;
            return this;
        }

        public RestoreTestReport build() {
            return new RestoreTestReport(failures.isEmpty() ? "passed" : "failed", failures, backup.backupId().value(),
                    backup.startedAt(), verified, server, scratchDatabase, startedAt,
                    restored == null ? null : restored.tablesRestored(), restored == null ? null : Boolean.TRUE,
                    restored == null ? null : restored.roles(), smokeQueries, restored == null ? null : restored.durationMs(),
                    backup.data().plainBytes(), restoredDatabaseBytes, sourceDatabaseBytes, throughputMiBps,
                    estimatedFullRestore == null ? null : estimatedFullRestore.toString(), rto == null ? null : rto.toString(),
                    rtoMet, scratchDropped, leftoversDropped, report, backup.database().name(),
                    restored == null ? null : restored.proof(), restored == null ? null : restored.tables());
        }
    }
}
