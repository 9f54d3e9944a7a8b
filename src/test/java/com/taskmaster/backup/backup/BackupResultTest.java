package com.taskmaster.backup.backup;

import com.taskmaster.backup.alert.Metrics;
import com.taskmaster.backup.testing.Manifests;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static com.taskmaster.backup.alert.Metrics.Unit.BYTES;
import static com.taskmaster.backup.alert.Metrics.Unit.COUNT;
import static com.taskmaster.backup.alert.Metrics.Unit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backup's metrics come from its result: GIVEN a new backup, a duplicate, a failure, THEN these metrics and units. */
class BackupResultTest {
    private static final BackupResult NEW = BackupResult.of(Manifests.manifest("20261128T020000Z-daily", 3000), "file:///r/d",
            "file:///r/m", 2500, false);

    @Test
    void aNewBackupReportsSuccessSizesAndDuration() {
        Map<String, Metrics.Value> m = NEW.metrics();
        assertEquals(List.of("BackupSuccess", "BackupStoredBytes", "BackupPlainBytes", "BackupDuration"), List.copyOf(m.keySet()));
        assertEquals(new Metrics.Value(1, COUNT), m.get("BackupSuccess"));
        assertEquals(new Metrics.Value(1000, BYTES), m.get("BackupStoredBytes"));
        assertEquals(new Metrics.Value(3000, BYTES), m.get("BackupPlainBytes"));
        assertEquals(new Metrics.Value(2.5, SECONDS), m.get("BackupDuration"));
    }

    @Test
    void aDuplicateMadeNothingAndEmitsNothing() {
        BackupResult duplicate = BackupResult.of(Manifests.manifest("20261128T020000Z-daily", 3000), "d", "m", 0, true);
        assertTrue(duplicate.metrics().isEmpty());
    }

    @Test
    void aFailureIsOneCount() {
        assertEquals(Map.of("BackupFailure", new Metrics.Value(1, COUNT)), BackupResult.failureMetrics());
    }
}
