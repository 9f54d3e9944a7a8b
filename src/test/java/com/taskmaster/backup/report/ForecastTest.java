package com.taskmaster.backup.report;

import com.taskmaster.backup.report.Forecast.Projection;
import com.taskmaster.backup.report.Forecast.State;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForecastTest {

    private static Projection find(Forecast f, String operation, String measure) {
        return f.projections().stream().filter(p -> p.operation().equals(operation) && p.measure().equals(measure))
                .findFirst().orElseThrow();
    }

    private static Forecast forecast(ReadinessHistory h) {
        return Forecast.of(h.build(), h.now);
    }

    @Test
    void aHealthyYearReachesNoLimitWithinTheWarningHorizon() {
        ReadinessHistory h = ReadinessHistory.year();
        Forecast f = forecast(h);
        assertFalse(f.warning());
        Projection restore = find(f, "restore test", "restore time");
        assertEquals(State.LATER, restore.state());
        // By hand: 14 MiB/s of restore, so the 870 s the function may use hold 870 × 14 MiB = 11.9 GiB of dump; the dump
        // is ~9 GiB now and grows 14 MiB a day: about 210 days.
        long days = Duration.between(h.now, restore.reachesAt()).toDays();
        assertTrue(days > 180 && days < 240, "restore time reaches the function's limit in " + days + " days");
        assertEquals(restore, f.first().orElseThrow(), "the restore test is the first limit");
        assertEquals(days, f.daysUntilFirstLimit().orElseThrow());
        assertEquals(State.NOT_ON_TREND, find(f, "backup", "peak memory").state(), "flat memory never reaches 2 GiB");
        assertEquals(State.NO_DATA, find(f, "backup", "/tmp used").state(), "not recorded");
    }

    @Test
    void fastGrowthIsAWarningWithinTheHorizon() {
        ReadinessHistory h = ReadinessHistory.year();
        h.startPlainBytes = 3.0 * (1L << 30);
        h.growthPerDay = 22.0 * (1 << 20);
        Forecast f = forecast(h);
        assertTrue(f.warning());
        Projection restore = find(f, "restore test", "restore time");
        assertEquals(State.WARNING, restore.state());
        assertTrue(f.daysUntilFirstLimit().orElseThrow() <= 90, "days until: " + f.daysUntilFirstLimit());
    }

    @Test
    void aLimitAlreadyPassedIsExceeded() {
        ReadinessHistory h = ReadinessHistory.year();
        h.restoreBytesPerSecond = 5.0 * (1 << 20);
        Forecast f = forecast(h);
        Projection restore = find(f, "restore test", "restore time");
        assertEquals(State.EXCEEDED, restore.state());
        assertEquals(h.now, restore.reachesAt());
        assertEquals(0, f.daysUntilFirstLimit().orElseThrow());
        assertTrue(f.warning());
    }

    @Test
    void theRtoIsALimitToo() {
        ReadinessHistory h = ReadinessHistory.year();
        ReadinessInput in = h.build();
        ReadinessInput tight = new ReadinessInput(in.database(), in.repository(), in.settings().withRto(Duration.ofMinutes(12)),
                in.backups(), in.verifications(), in.restoreTests(), in.pruneRuns(), in.replica(), in.storage(), in.storageNote());
        Projection full = find(Forecast.of(tight, h.now), "full restore", "estimated time at source size");
        assertEquals(State.WARNING, full.state(), "11.5 min now, growing, against a 12 min RTO: " + full);
    }

    @Test
    void noHistoryNoForecastAndNoWarning() {
        Forecast f = Forecast.of(ReadinessInput.empty("file:///x", ReadinessInput.Settings.defaults()), Instant.parse("2026-12-01T00:00:00Z"));
        assertTrue(f.projections().stream().allMatch(p -> p.state() == State.NO_DATA));
        assertFalse(f.warning());
        assertTrue(f.daysUntilFirstLimit().isEmpty());
    }

    @Test
    void aFewDaysAreNotEnoughForATrend() {
        ReadinessHistory h = ReadinessHistory.year();
        h.days = 4;
        h.hourly = false;
        Projection backup = find(forecast(h), "backup", "duration");
        assertEquals(State.NO_DATA, backup.state());
        assertTrue(backup.basis().contains("not enough size history"), backup.basis());
    }

    @Test
    void theMedianIgnoresOneSlowRun() {
        assertEquals(2.0, Forecast.median(new double[]{1, 2, 2, 3, 400}));
        assertEquals(2.5, Forecast.median(new double[]{4, 1, 2, 3}));
    }
}
