package com.taskmaster.backup.report;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinearTrendTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Instant day(double d) {
        return T0.plusSeconds(Math.round(d * 86_400));
    }

    private static List<LinearTrend.Point> line(double intercept, double slope, int days) {
        List<LinearTrend.Point> points = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            points.add(new LinearTrend.Point(day(d), intercept + slope * d));
        }
        return points;
    }

    @Test
    void anExactLineIsFoundAgain() {
        LinearTrend t = LinearTrend.fit(line(100, 5, 10)).orElseThrow();
        assertEquals(5, t.slope(), 1e-9);
        assertEquals(200, t.valueAt(day(20)), 1e-6);
        assertEquals(day(10), t.reaches(150, T0).orElseThrow());
        assertEquals(10, t.samples());
    }

    @Test
    void leastSquaresThroughNoise() {
        // 1, 3, 2, 4 at days 0..3: slope 0.8, intercept 1.3 (by hand: Sxy = 4, Sxx = 5)
        List<LinearTrend.Point> points = List.of(new LinearTrend.Point(day(0), 1), new LinearTrend.Point(day(1), 3),
                new LinearTrend.Point(day(2), 2), new LinearTrend.Point(day(3), 4));
        LinearTrend t = LinearTrend.fit(points).orElseThrow();
        assertEquals(0.8, t.slope(), 1e-9);
        assertEquals(1.3, t.valueAt(day(0)), 1e-6);
    }

    @Test
    void noLineFromTooLittleOrBadData() {
        assertTrue(LinearTrend.fit(List.of()).isEmpty());
        assertTrue(LinearTrend.fit(line(1, 1, 1)).isEmpty(), "one point");
        assertTrue(LinearTrend.fit(List.of(new LinearTrend.Point(T0, 1), new LinearTrend.Point(T0, 2))).isEmpty(), "one time");
        assertTrue(LinearTrend.fit(List.of(new LinearTrend.Point(T0, 1), new LinearTrend.Point(day(1), Double.NaN))).isEmpty(), "NaN");
    }

    @Test
    void aFlatOrFallingLineNeverReachesALimitAbove() {
        assertTrue(LinearTrend.fit(line(10, 0, 10)).orElseThrow().reaches(20, day(9)).isEmpty());
        assertTrue(LinearTrend.fit(line(10, -1, 10)).orElseThrow().reaches(20, day(9)).isEmpty());
    }

    @Test
    void aLineAlreadyAtTheLimitReachesItNow() {
        assertEquals(day(9), LinearTrend.fit(line(10, 1, 10)).orElseThrow().reaches(15, day(9)).orElseThrow());
    }

    @Test
    void nothingBeyondTheHorizon() {
        LinearTrend t = LinearTrend.fit(line(0, 1e-6, 10)).orElseThrow();
        assertTrue(t.reaches(1, day(9)).isEmpty(), "a million days away is no forecast");
        Instant at = LinearTrend.fit(line(0, 1, 10)).orElseThrow().reaches(3000, day(9)).orElseThrow();
        assertTrue(Duration.between(day(9), at).toDays() <= LinearTrend.HORIZON.toDays());
    }
}
