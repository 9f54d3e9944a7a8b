package com.taskmaster.backup.report;

import com.taskmaster.backup.report.ReadinessInput.Backup;
import com.taskmaster.backup.report.ReadinessInput.Schedule;
import com.taskmaster.backup.report.ReadinessInput.Settings;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AdherenceTest {
    private static final Instant NOW = Instant.parse("2026-12-01T09:30:00Z");

    private static Map<String, Adherence> byName(ReadinessInput in, Instant now) {
        return Adherence.of(in, now.minusSeconds(400L * 86_400), now).stream()
                .collect(Collectors.toMap(a -> a.schedule().name(), Function.identity()));
    }

    @Test
    void aYearWithTwoMissedDays() {
        ReadinessHistory h = ReadinessHistory.year();
        Map<String, Adherence> rows = byName(h.build(), h.now);
        Adherence daily = rows.get("daily backup");
        assertEquals(2, daily.missed());
        assertEquals(List.of(Instant.parse("2026-06-20T00:00:00Z"), Instant.parse("2026-06-19T00:00:00Z")), daily.missedRecent());
        assertEquals(48, rows.get("hourly backup").missed(), "two whole days of hours");
        assertEquals(0, rows.get("weekly verification").missed());
        assertEquals(0, rows.get("monthly restore test").missed());
        assertEquals(11, rows.get("monthly restore test").expected(), "the months that ended after the first backup: 2026-01 to 2026-11");
    }

    private static Backup daily(String time) {
        return new Backup(time.replaceAll("[-:]", "").replace(".000", "") + "-daily", Instant.parse(time), "daily", 10L, 5, null,
                null, null, null, null, null);
    }

    @Test
    void aLateRunCountsAndASecondRunDoesNotCountTwice() {
        Settings settings = Settings.defaults().withSchedules(List.of(Schedule.dailyBackup()));
        ReadinessInput in = new ReadinessInput("db", "file:///x", settings, List.of(
                daily("2026-11-27T02:00:00Z"), daily("2026-11-28T02:00:00Z"), daily("2026-11-28T14:00:00Z"),
                daily("2026-11-29T23:59:00Z"), daily("2026-12-01T02:00:00Z")), List.of(), List.of(), List.of(), null, List.of(), null);
        Adherence a = byName(in, NOW).get("daily backup");
        // Periods after the first backup that have ended: 28, 29, 30 November. 30 November had no run.
        assertEquals(3, a.expected());
        assertEquals(2, a.ran());
        assertEquals(List.of(Instant.parse("2026-11-30T00:00:00Z")), a.missedRecent());
        assertEquals(Instant.parse("2026-12-01T02:00:00Z"), a.lastRun());
    }

    @Test
    void nothingIsExpectedBeforeTheFirstBackup() {
        ReadinessInput in = ReadinessInput.empty("file:///x", Settings.defaults());
        for (Adherence a : Adherence.of(in, NOW.minusSeconds(86_400 * 400L), NOW)) {
            assertEquals(0, a.expected());
            assertNull(a.from());
            assertNull(a.lastRun());
        }
    }
}
