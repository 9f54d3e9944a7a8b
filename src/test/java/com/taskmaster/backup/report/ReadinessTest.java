package com.taskmaster.backup.report;

import com.taskmaster.backup.report.Readiness.Check;
import com.taskmaster.backup.report.Readiness.Mark;
import com.taskmaster.backup.report.ReadinessInput.Replica;
import com.taskmaster.backup.report.ReadinessInput.RestoreTest;
import com.taskmaster.backup.report.ReadinessInput.Verification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each check of the status, passing and failing, with the reason a person reads. */
class ReadinessTest {
    private static ReadinessInput healthy;
    private static Instant now;

    @BeforeAll
    static void history() {
        ReadinessHistory h = ReadinessHistory.year();
        h.days = 100;
        healthy = h.build();
        now = h.now;
    }

    private static Check check(ReadinessInput in, Instant at, String name) {
        return Readiness.assess(in, at).checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static ReadinessInput with(List<Verification> verifications, List<RestoreTest> tests, Replica replica) {
        return new ReadinessInput(healthy.database(), healthy.repository(), healthy.settings(), healthy.backups(), verifications, tests,
                healthy.pruneRuns(), replica, healthy.storage(), healthy.storageNote());
    }

    @Test
    void aHealthyHistoryIsReady() {
        Readiness r = Readiness.assess(healthy, now);
        assertTrue(r.ready(), () -> r.failures().toString());
        assertTrue(r.checks().stream().allMatch(c -> c.mark() == Mark.OK), r.checks()::toString);
    }

    @Test
    void aBackupOlderThanTheRpoFails() {
        Instant later = now.plus(Duration.ofHours(3));
        Check c = check(healthy, later, "Newest backup");
        assertEquals(Mark.FAIL, c.mark());
        assertTrue(c.headline().contains("older than the RPO"), c.headline());
        assertTrue(c.reason().contains("RPO 2 h"), c.reason());
    }

    @Test
    void aFailedVerificationInTheLastRunFailsNamingTheBackup() {
        List<Verification> v = new ArrayList<>(healthy.verifications());
        Verification last = v.get(v.size() - 1);
        v.set(v.size() - 1, new Verification(last.backupId(), last.verifiedAt(), "failed", "authentication tag mismatch in frame 17",
                "identical", 10, last.requestId()));
        Check c = check(with(v, healthy.restoreTests(), healthy.replica()), now, "Last verification");
        assertEquals(Mark.FAIL, c.mark());
        assertTrue(c.reason().contains(last.backupId() + " failed: authentication tag mismatch in frame 17"), c.reason());
    }

    @Test
    void anOverdueVerificationFails() {
        Check c = check(healthy, now.plus(Duration.ofDays(7)), "Last verification");
        assertEquals(Mark.FAIL, c.mark());
        assertTrue(c.headline().startsWith("overdue"), c.headline());
    }

    @Test
    void aFailedRestoreTestFailsWithItsReason() {
        List<RestoreTest> tests = new ArrayList<>(healthy.restoreTests());
        RestoreTest t = tests.get(tests.size() - 1);
        tests.add(new RestoreTest(now.minusSeconds(60), t.backupId(), false, List.of("row counts differ: taskmaster.tasks 10 != 11"),
                null, null, t.plainBytes(), false, List.of(), null, null));
        Check c = check(with(healthy.verifications(), tests, healthy.replica()), now, "Last restore test");
        assertEquals(Mark.FAIL, c.mark());
        assertTrue(c.reason().contains("row counts differ: taskmaster.tasks 10 != 11"), c.reason());
        assertEquals(Mark.OK, check(with(healthy.verifications(), tests, healthy.replica()), now, "Restore time vs RTO").mark(),
                "the RTO check uses the last test that measured a restore");
    }

    @Test
    void noRestoreTestFailsBothRestoreChecks() {
        ReadinessInput in = with(healthy.verifications(), List.of(), healthy.replica());
        assertEquals("no restore test yet", check(in, now, "Last restore test").headline());
        assertEquals(Mark.FAIL, check(in, now, "Restore time vs RTO").mark());
    }

    @Test
    void aRestoreSlowerThanTheRtoFails() {
        ReadinessInput slow = new ReadinessInput(healthy.database(), healthy.repository(), healthy.settings().withRto(Duration.ofMinutes(5)),
                healthy.backups(), healthy.verifications(), healthy.restoreTests(), healthy.pruneRuns(), healthy.replica(), healthy.storage(), null);
        Check c = check(slow, now, "Restore time vs RTO");
        assertEquals(Mark.FAIL, c.mark());
        assertTrue(c.headline().contains("exceeds the RTO"), c.headline());
    }

    @Test
    void replicaProblemsFailAndNoReplicaIsNotApplicable() {
        Replica bad = new Replica("s3://replica/backups", now.minusSeconds(3600), 80, 0, 2,
                List.of("20261130T020000Z-daily: missing", "20261129T020000Z-daily: SHA-256 differs"));
        Check c = check(with(healthy.verifications(), healthy.restoreTests(), bad), now, "Replica");
        assertEquals(Mark.FAIL, c.mark());
        assertTrue(c.reason().contains("20261129T020000Z-daily: SHA-256 differs"), c.reason());

        Readiness none = Readiness.assess(with(healthy.verifications(), healthy.restoreTests(), null), now);
        assertEquals(Mark.NONE, none.checks().stream().filter(x -> x.name().equals("Replica")).findFirst().orElseThrow().mark());
        assertTrue(none.ready(), "a replica that is not configured is not a failure");
    }

    @Test
    void aCapacityWarningFails() {
        ReadinessHistory h = ReadinessHistory.year();
        h.days = 100;
        h.startPlainBytes = 8.5 * (1L << 30);
        h.growthPerDay = 22.0 * (1 << 20);
        Readiness r = Readiness.assess(h.build(), h.now);
        Check c = r.checks().stream().filter(x -> x.name().equals("Capacity forecast")).findFirst().orElseThrow();
        assertEquals(Mark.FAIL, c.mark());
        assertTrue(c.reason().startsWith("restore test: restore time reaches 14 min 30 s"), c.reason());
        assertFalse(r.ready());
    }
}
