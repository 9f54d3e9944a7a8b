package com.taskmaster.backup.restoretest;

import com.taskmaster.backup.alert.Metrics;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.testing.Manifests;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.taskmaster.backup.alert.Metrics.Unit.COUNT;
import static com.taskmaster.backup.alert.Metrics.Unit.NONE;
import static com.taskmaster.backup.alert.Metrics.Unit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The restore-test report as the run builds it: GIVEN what a run found, THEN the outcome follows from the failures, the
 * restore's part and the RTO's are filled in, and the metrics (with their units) come from the report.
 */
class RestoreTestReportTest {
    private static final RestoreTestPlan PLAN = new RestoreTestPlan(Manifests.manifest("20261128T020000Z-daily", 3000), true,
            "tmb_restore_test_20261201t040000_abcd", "db:5432");
    private static final Instant STARTED = Instant.parse("2026-12-01T04:00:00Z");

    @Test
    void aRestoreWithinTheRtoPassesWithEveryMetric() {
        RestoreTestReport r = RestoreTestReport.builder().plan(PLAN).startedAt(STARTED)
                .restored(new DatabaseRestore.Restored(11, null, 4000)).restoredDatabaseBytes(100L).sourceDatabaseBytes(200L)
                .timing(1.5, Duration.ofSeconds(8), Duration.ofHours(4), true).scratchDropped(true).report("file:///r/x.json").build();
        assertEquals("passed", r.outcome());
        assertEquals(11, r.tablesRestored());
        assertEquals(Boolean.TRUE, r.fingerprintsEqual());
        assertEquals(4000L, r.restoreMs());
        assertEquals("PT8S", r.estimatedFullRestore());
        assertEquals("PT4H", r.rto());
        assertEquals("taskmaster", r.database());
        assertEquals(3000L, r.plainBytes());
        Map<String, Metrics.Value> m = r.metrics();
        assertEquals(List.of("RestoreTestSuccess", "RestoreTestRestoreSeconds", "RestoreTestEstimatedSeconds",
                "RestoreTestRtoSeconds", "RestoreTestRtoMet"), List.copyOf(m.keySet()));
        assertEquals(new Metrics.Value(1, COUNT), m.get("RestoreTestSuccess"));
        assertEquals(new Metrics.Value(4, SECONDS), m.get("RestoreTestRestoreSeconds"));
        assertEquals(new Metrics.Value(8, SECONDS), m.get("RestoreTestEstimatedSeconds"));
        assertEquals(new Metrics.Value(14400, SECONDS), m.get("RestoreTestRtoSeconds"));
        assertEquals(new Metrics.Value(1, NONE), m.get("RestoreTestRtoMet"));
    }

    @Test
    void aRunThatRestoredNothingFailsAndReportsOnlyItsOutcomeAndTheRto() {
        RestoreTestReport.Builder b = RestoreTestReport.builder().plan(PLAN).startedAt(STARTED)
                .timing(null, null, Duration.ofHours(4), null).scratchDropped(true).failure("pg_restore failed");
        RestoreTestReport r = b.build();
        assertEquals("failed", r.outcome());
        assertNull(r.tablesRestored());
        assertNull(r.fingerprintsEqual());
        assertEquals(List.of("RestoreTestFailure", "RestoreTestRtoSeconds"), List.copyOf(r.metrics().keySet()));
        RestoreTestReport unwritten = b.failure("the report could not be written").report(null).build();
        assertEquals(List.of("pg_restore failed", "the report could not be written"), unwritten.failures());
        assertEquals(List.of("pg_restore failed"), r.failures(), "a built report does not change with its builder");
    }
}
