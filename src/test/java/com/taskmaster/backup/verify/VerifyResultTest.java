package com.taskmaster.backup.verify;

import com.taskmaster.backup.alert.Metrics;
import com.taskmaster.backup.format.Verification;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A verify run as the metrics the dashboard and the verify alarms read. */
class VerifyResultTest {
    static final Instant NEWEST = Instant.parse("2026-11-28T02:00:00Z");
    static final Instant NOW = Instant.parse("2026-11-28T04:00:00Z");

    static VerifyResult.Checked checked(String id, Verification.Outcome outcome, String replica, String... anomalies) {
        return new VerifyResult.Checked(id, outcome, null, 3, replica, List.of(anomalies), 10, null);
    }

    static VerifyResult.Freshness fresh() {
        return new VerifyResult.Freshness("20261128T020000Z-daily", "taskmaster", NEWEST, "PT26H", true, null);
    }

    static Map<String, Double> values(VerifyResult r) {
        Map<String, Double> v = new java.util.LinkedHashMap<>();
        r.metrics(NOW).forEach((name, value) -> v.put(name, value.value()));
        return v;
    }

    @Test
    void aCleanRunCountsItsBackupsAndTheNewestBackupsAge() {
        VerifyResult r = new VerifyResult(List.of(checked("a", Verification.Outcome.passed, "identical"),
                checked("b", Verification.Outcome.passed, "pending"), checked("c", Verification.Outcome.skipped, null)),
                fresh(), List.of(), List.of());
        assertEquals(Map.of("VerifySuccess", 1.0, "VerifyBackupsPassed", 2.0, "VerifyBackupsFailed", 0.0,
                "VerifyBackupsSkipped", 1.0, "VerifyReplicaProblems", 0.0, "VerifyAnomalies", 0.0,
                "NewestBackupAgeSeconds", 7200.0), values(r));
        assertEquals("taskmaster", r.database());
        assertEquals(Metrics.Unit.SECONDS, r.metrics(NOW).get("NewestBackupAgeSeconds").unit());
        assertEquals(Metrics.Unit.COUNT, r.metrics(NOW).get("VerifySuccess").unit());
    }

    @Test
    void aFailedRunCountsFailuresReplicaProblemsAndAnomalies() {
        VerifyResult r = new VerifyResult(List.of(checked("a", Verification.Outcome.failed, "missing"),
                checked("b", Verification.Outcome.failed, "different", "size dropped", "rows dropped"),
                checked("c", Verification.Outcome.failed, "unreadable"), checked("d", Verification.Outcome.passed, "not configured")),
                fresh(), List.of(), List.of("backup a failed verification: x"));
        Map<String, Double> v = values(r);
        assertEquals(1.0, v.get("VerifyFailure"));
        assertNull(v.get("VerifySuccess"), "exactly one of VerifySuccess/VerifyFailure");
        assertEquals(3.0, v.get("VerifyBackupsFailed"));
        assertEquals(1.0, v.get("VerifyBackupsPassed"));
        assertEquals(3.0, v.get("VerifyReplicaProblems"));
        assertEquals(2.0, v.get("VerifyAnomalies"));
    }

    @Test
    void aBackupThatCouldNotBeCheckedFailsTheRunCountsAsFailedAndIsNamedInTheAlert() {
        VerifyResult r = new VerifyResult(List.of(checked("a", Verification.Outcome.error, "unreadable"),
                checked("b", Verification.Outcome.passed, "identical")),
                fresh(), List.of(), List.of("backup a could not be verified (error, ...): cannot read s3://b/backups/data/a: SlowDown"));
        Map<String, Double> v = values(r);
        assertEquals(1.0, v.get("VerifyFailure"));
        assertNull(v.get("VerifySuccess"));
        assertEquals(1.0, v.get("VerifyBackupsFailed"));
        assertEquals(1.0, v.get("VerifyBackupsPassed"));
        assertEquals(1.0, v.get("VerifyReplicaProblems"));
        assertEquals("a", r.failedBackupIds());
    }

    @Test
    void anEmptyRepositoryIsAFailureWithoutAnAgeOrDatabase() {
        VerifyResult r = new VerifyResult(List.of(), new VerifyResult.Freshness(null, null, null, "PT26H", false, "no backup"),
                List.of(), List.of("no backup"));
        Map<String, Metrics.Value> m = r.metrics(NOW);
        assertEquals(1.0, m.get("VerifyFailure").value());
        assertNull(m.get("NewestBackupAgeSeconds"));
        assertNull(r.database());
    }
}
