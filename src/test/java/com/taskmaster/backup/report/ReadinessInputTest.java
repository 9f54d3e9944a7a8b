package com.taskmaster.backup.report;

import com.taskmaster.backup.report.ReadinessInput.Backup;
import com.taskmaster.backup.report.ReadinessInput.LambdaLimits;
import com.taskmaster.backup.report.ReadinessInput.Replica;
import com.taskmaster.backup.report.ReadinessInput.Verification;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadinessInputTest {
    private static final Instant T = Instant.parse("2026-11-28T02:00:01Z");

    @Test
    void theScheduleComesFromTheBackupId() {
        assertEquals("daily", ReadinessInput.scheduleOf("20261128T020000Z-daily"));
        assertEquals("hourly", ReadinessInput.scheduleOf("20261128T030000Z-hourly"));
        assertEquals("manual", ReadinessInput.scheduleOf("20261128T041503Z-manual-k3f9q2"));
        assertThrows(IllegalArgumentException.class, () -> ReadinessInput.scheduleOf("nodash"));
    }

    @Test
    void aBackupKnownOnlyFromAPruneAuditRecord() {
        Backup b = Backup.deleted("20261128T030000Z-hourly", T, 1000, null, T.plus(Duration.ofDays(3)));
        assertEquals("hourly", b.schedule());
        assertNull(b.plainBytes());
        assertTrue(!b.present());
    }

    @Test
    void theReplicaStateOfAVerificationRun() {
        List<Verification> run = List.of(
                new Verification("20261128T020000Z-daily", T, "passed", null, "identical", 10, "r1"),
                new Verification("20261128T030000Z-hourly", T.plusSeconds(5), "passed", null, "pending", 10, "r1"),
                new Verification("20261127T020000Z-daily", T.plusSeconds(9), "failed", "replica differs: SHA-256 9f2c...", "different", 10, "r1"));
        Replica r = Replica.fromRun("s3://replica/backups", run);
        assertEquals(1, r.identical());
        assertEquals(1, r.pending());
        assertEquals(1, r.problems());
        assertEquals(List.of("20261127T020000Z-daily: different (replica differs: SHA-256 9f2c...)"), r.details());
        assertEquals(T.plusSeconds(9), r.checkedAt());
        assertNull(Replica.fromRun("s3://replica/backups", List.of(new Verification("20261128T020000Z-daily", T, "passed", null, null, 1, null))));
    }

    @Test
    void badValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LambdaLimits(Duration.ofMinutes(16), Duration.ofSeconds(30), 1, 1),
                "Lambda allows 15 minutes at most");
        assertThrows(IllegalArgumentException.class, () -> new Verification("x", T, "skipped", null, null, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new Backup("x", T, "daily", -1L, 0, null, null, null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> ReadinessInput.Settings.defaults().withRpo(Duration.ZERO));
    }

    @Test
    void listsAreSortedByTime() {
        Backup later = new Backup("b", T.plusSeconds(60), "daily", null, 1, null, null, null, null, null, null);
        Backup earlier = new Backup("a", T, "daily", null, 1, null, null, null, null, null, null);
        ReadinessInput in = new ReadinessInput("db", "file:///x", ReadinessInput.Settings.defaults(), List.of(later, earlier),
                List.of(), List.of(), List.of(), null, List.of(), null);
        assertEquals(List.of(earlier, later), in.backups());
    }
}
