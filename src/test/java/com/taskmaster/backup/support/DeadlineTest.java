package com.taskmaster.backup.support;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The invocation's deadline as a value: GIVEN a deadline (or none) and a margin, THEN time left, messages, watches, waits. */
class DeadlineTest {
    private static final Instant NOW = Instant.parse("2026-12-01T04:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void noDeadlineNeverPassesAndHasAllTheTimeLeft() {
        assertTrue(Deadline.NONE.isNone());
        assertFalse(Deadline.NONE.minus(Deadline.Margin.WORK).passed());
        assertEquals(Long.MAX_VALUE, Deadline.NONE.minus(Deadline.Margin.CHECKS).millisLeft());
        assertTrue(Deadline.NONE.hasLeft(Duration.ofDays(365)));
        assertTrue(Deadline.NONE.instant().isEmpty());
    }

    @Test
    void aMarginIsTakenOffTheTimeLeft() {
        Deadline deadline = Deadline.at(NOW.plusSeconds(60), CLOCK);
        assertEquals(60_000, deadline.millisLeft());
        assertEquals(30_000, deadline.minus(Deadline.Margin.WORK).millisLeft());
        assertEquals(45_000, deadline.minus(Deadline.Margin.CHECKS).millisLeft());
        assertEquals(55_000, deadline.minus(Deadline.Margin.CLEANUP).millisLeft());
        assertTrue(deadline.hasLeft(Deadline.Margin.NEXT_CHECK.duration()), "exactly 60 s left is enough");
        assertFalse(deadline.hasLeft(Duration.ofSeconds(61)));
        assertTrue(Deadline.at(NOW.plusSeconds(30), CLOCK).minus(Deadline.Margin.WORK).passed(), "passed at its margin");
        assertEquals(NOW.plusSeconds(60), deadline.minus(Deadline.Margin.WORK).instant().orElseThrow(), "the instant is the invocation's");
    }

    @Test
    void messagesSayWhatStoppedHowLongBeforeTheDeadlineAndWhy() {
        Deadline checks = Deadline.at(NOW, CLOCK).minus(Deadline.Margin.CHECKS);
        assertEquals("ran out of time: counting rows stopped 15 s before the invocation's deadline, to leave time to clean up "
                + "and report", checks.exceeded("counting rows").getMessage());
        assertEquals("not run: fewer than 30 s were left before the invocation's deadline",
                Deadline.at(NOW, CLOCK).minus(Deadline.Margin.WORK).notRun());
        assertEquals("stopped 0 s before the invocation's deadline", Deadline.at(NOW, CLOCK).stopped());
    }

    @Test
    void aWatchRunsItsActionWhenTheDeadlinePassesAndNotOnceClosed() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        try (Deadline.Watch watch = Deadline.at(Instant.now().plusMillis(200)).watch("test-watch", fired::countDown)) {
            assertTrue(fired.await(10, TimeUnit.SECONDS));
            assertTrue(watch.fired());
        }
        CountDownLatch never = new CountDownLatch(1);
        try (Deadline.Watch watch = Deadline.at(Instant.now().plusMillis(300)).watch("test-watch", never::countDown)) {
            assertFalse(watch.fired());
        }
        assertFalse(never.await(600, TimeUnit.MILLISECONDS), "closed before the deadline: never run");
        try (Deadline.Watch watch = Deadline.NONE.watch("test-watch", never::countDown)) {
            assertFalse(watch.fired());
        }
    }

    @Test
    void aWaitEndsAtTheDeadline() throws Exception {
        CompletableFuture<String> never = new CompletableFuture<>();
        assertThrows(TimeoutException.class, () -> Deadline.at(Instant.now().plusMillis(100)).await(never, Duration.ofHours(1)));
        assertThrows(TimeoutException.class, () -> Deadline.NONE.await(never, Duration.ofMillis(100)));
        assertEquals("done", Deadline.at(NOW, CLOCK).await(CompletableFuture.completedFuture("done"), Duration.ZERO));
    }
}
