package com.taskmaster.backup.drdrill;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.alert.Metrics;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.SmokeQueries;
import com.taskmaster.backup.support.Json;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.taskmaster.backup.alert.Metrics.Unit.COUNT;
import static com.taskmaster.backup.alert.Metrics.Unit.NONE;
import static com.taskmaster.backup.alert.Metrics.Unit.SECONDS;

/**
 * One disaster-recovery drill, stored as JSON and a short text summary under {@code reports/dr-drill/} in the replica
 * repository. Durations are ISO-8601 text.
 *
 * @param replica          the replica repository the drill read (and nothing else)
 * @param keyId            the key the drill decrypted with (the replica key's ARN, in the drill's region)
 * @param backupKeyId      the key the backup's data key was wrapped under (the primary key's ARN, as its manifest says)
 * @param notReplicated    newer backups whose manifest is in the replica but whose data object is not (yet)
 * @param replicatedAt     when the chosen backup's last object (manifest or data) arrived in the replica
 * @param replicationLag   replicatedAt minus the backup's completion (its manifest's finishedAt)
 * @param achievedRpo      the drill's time minus the backup's snapshot time: what a disaster now would lose
 * @param estimatedFullRestore the restore time of the newest replicated backup (the database as of that backup; the
 *                         source database, in the primary region, is never contacted)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DrDrillReport(String outcome, List<String> failures, Instant startedAt, String region, String replica,
                            String keyId, String backupId, String backupKeyId, Instant backupTakenAt, Instant backupFinishedAt,
                            List<String> notReplicated, Instant replicatedAt, String replicationLag, String achievedRpo,
                            String rpo, Boolean rpoMet, String server, String scratchDatabase, Integer tablesRestored,
                            String proof, List<SmokeQueries.Outcome> smokeQueries, Long restoreMs, Long plainBytes,
                            Long restoredDatabaseBytes, Double throughputMiBps, String estimatedFullRestore, String rto,
                            Boolean rtoMet, Boolean scratchDropped, String report, String database,
                            List<DatabaseRestore.TableProof> tables) {

    public DrDrillReport {
        failures = List.copyOf(failures);
    }

    public boolean passed() {
        return failures.isEmpty();
    }

    /** The same report, stored at {@code uri} (null: it could not be) with {@code failure} added when not null. */
    DrDrillReport stored(String uri, String failure) {
        List<String> all = new java.util.ArrayList<>(failures);
        if (failure != null) {
            all.add(failure);
        }
        return new DrDrillReport(all.isEmpty() ? "passed" : "failed", all, startedAt, region, replica, keyId, backupId,
                backupKeyId, backupTakenAt, backupFinishedAt, notReplicated, replicatedAt, replicationLag, achievedRpo, rpo,
                rpoMet, server, scratchDatabase, tablesRestored, proof, smokeQueries, restoreMs, plainBytes,
                restoredDatabaseBytes, throughputMiBps, estimatedFullRestore, rto, rtoMet, scratchDropped, uri, database, tables);
    }

    /**
     * The drill as CloudWatch metrics (infra/secondary.yaml's alarms and dashboard panel): outcome, achieved RPO and
     * replication lag, restore time and estimate, the objectives (the dashboard's lines), and whether each was met.
     */
    public Map<String, Metrics.Value> metrics() {
        Metrics.Builder m = Metrics.builder().add(passed() ? "DrDrillSuccess" : "DrDrillFailure", 1, COUNT);
        seconds(m, "DrDrillAchievedRpoSeconds", achievedRpo);
        seconds(m, "DrDrillReplicationLagSeconds", replicationLag);
        seconds(m, "DrDrillRpoSeconds", rpo);
        if (rpoMet != null) {
            m.add("DrDrillRpoMet", rpoMet ? 1 : 0, NONE);
        }
        if (restoreMs != null) {
            m.add("DrDrillRestoreSeconds", restoreMs / 1000.0, SECONDS);
        }
        seconds(m, "DrDrillEstimatedSeconds", estimatedFullRestore);
        seconds(m, "DrDrillRtoSeconds", rto);
        if (rtoMet != null) {
            m.add("DrDrillRtoMet", rtoMet ? 1 : 0, NONE);
        }
        return m.build();
    }

    private static void seconds(Metrics.Builder m, String name, String duration) {
        if (duration != null) {
            m.add(name, Duration.parse(duration).toMillis() / 1000.0, SECONDS);
        }
    }

    public byte[] toJson() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize the dr-drill report", e);
        }
    }

    /** A few lines for people. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("dr-drill ").append(outcome.toUpperCase()).append(" at ").append(startedAt).append(" in ").append(region)
                .append(" from ").append(replica).append('\n');
        if (backupId != null) {
            sb.append("backup ").append(backupId).append(" (taken ").append(backupTakenAt).append(", replicated ").append(replicatedAt)
                    .append(", lag ").append(replicationLag).append("): achieved RPO ").append(achievedRpo).append(" vs RPO ")
                    .append(rpo).append(Boolean.TRUE.equals(rpoMet) ? " (met)" : " (MISSED)").append('\n');
        }
        if (scratchDatabase != null) {
            sb.append("decrypted with ").append(keyId).append(" -> scratch database ").append(scratchDatabase).append(" on ")
                    .append(server).append(Boolean.TRUE.equals(scratchDropped) ? " (dropped)" : " (NOT DROPPED: drop it by hand)").append('\n');
        }
        if (restoreMs != null) {
            sb.append(String.format("restored %s tables in %.1f s, proven by %s; estimated restore %s vs RTO %s%s%n", tablesRestored,
                    restoreMs / 1000.0, proof, estimatedFullRestore, rto, Boolean.TRUE.equals(rtoMet) ? " (met)" : " (MISSED)"));
        }
        failures.forEach(f -> sb.append("FAILURE: ").append(f).append('\n'));
        return sb.toString();
    }
}
