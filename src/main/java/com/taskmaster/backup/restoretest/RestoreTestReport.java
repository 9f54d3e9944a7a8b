package com.taskmaster.backup.restoretest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.support.Json;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * One restore-test: what was restored where, whether it proved equal, how long it took, what that means for the
 * RTO at the current database size, and whether the scratch database is gone. Stored as JSON and as a short
 * text summary under {@code reports/restore-test/}.
 *
 * @param estimatedFullRestore the measured restore time scaled by (source database size / restored database size), ISO-8601
 * @param rto                  the objective, ISO-8601 (durations as text, not seconds, for people reading the report)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreTestReport(String outcome, List<String> failures, String backupId, Instant backupTakenAt, boolean verified,
                                String server, String scratchDatabase, Instant startedAt, Integer tablesRestored,
                                Boolean fingerprintsEqual, DatabaseRestore.Roles roles, List<SmokeQueries.Outcome> smokeQueries,
                                Long restoreMs, Long plainBytes, Long restoredDatabaseBytes, Long sourceDatabaseBytes,
                                Double throughputMiBps, String estimatedFullRestore, String rto, Boolean rtoMet,
                                boolean scratchDropped, List<String> leftoversDropped, String report, String database) {

    public RestoreTestReport {
        failures = List.copyOf(failures);
        leftoversDropped = List.copyOf(leftoversDropped);
    }

    public boolean passed() {
        return failures.isEmpty();
    }

    public RestoreTestReport withReport(String uri) {
        return new RestoreTestReport(outcome, failures, backupId, backupTakenAt, verified, server, scratchDatabase, startedAt,
                tablesRestored, fingerprintsEqual, roles, smokeQueries, restoreMs, plainBytes, restoredDatabaseBytes,
                sourceDatabaseBytes, throughputMiBps, estimatedFullRestore, rto, rtoMet, scratchDropped, leftoversDropped, uri, database);
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
}
