package com.taskmaster.backup.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * When work must have ended: the invocation's deadline (Lambda's timeout), less a {@link Margin} kept for what must
 * still happen after the work. {@link #NONE} (no deadline: a local run, a test) is a value, never null.
 *
 * <p>How an invocation's last minute is shared out, so that whatever the work does, the clean-up and the report still
 * happen before Lambda's deadline:
 * <pre>
 *   ... work ... │ WORK before: long work stops (pg_dump, pg_restore, deletions), no new check starts
 *                │ CHECKS before: every check after the work (queries on a restored database) has ended
 *                │ CLEANUP before: the clean-up (dropping a scratch database) has ended; the report and alert follow
 *   deadline ────┘
 * </pre>
 * A deadline reads its own clock: services and the deadline they are given agree on "now".
 */
public final class Deadline {
    /** How every message about a deadline reached starts. */
    public static final String OUT_OF_TIME = "ran out of time: ";
    /** No deadline: nothing is ever stopped for time. */
    public static final Deadline NONE = new Deadline(null, null, Clock.systemUTC());

    /** What is kept before the invocation's deadline, and why (for messages). */
    public enum Margin {
        /** Work that would outlive the invocation (pg_dump, pg_restore, deletions, a new check) stops this long before it. */
        WORK(Duration.ofSeconds(30), "so that it can still clean up and report"),
        /** Checks that follow the work (queries on a restored database) end this long before it. */
        CHECKS(Duration.ofSeconds(15), "to leave time to clean up and report"),
        /** Clean-up (dropping a scratch database) ends this long before it, leaving time for the report and the alert. */
        CLEANUP(Duration.ofSeconds(5), "to leave time to write the report"),
        /**
         * A new check of a whole backup (verify) starts only with this much left (or twice the longest check so far,
         * when more): a check cut short says nothing, and the backup is left for the next run.
         */
        NEXT_CHECK(Duration.ofSeconds(60), "so that a check is never cut short");

        private final Duration duration;
        private final String why;

        Margin(Duration duration, String why) {
            this.duration = duration;
            this.why = why;
        }

        public Duration duration() {
            return duration;
        }
    }

    private final Instant at;
    /** What is kept before {@link #at}; null: nothing, this is the invocation's deadline itself. */
    private final Margin margin;
    private final Clock clock;

    private Deadline(Instant at, Margin margin, Clock clock) {
        this.at = at;
        this.margin = margin;
        this.clock = clock;
    }

    /** The invocation's deadline, read against the system clock. */
    public static Deadline at(Instant at) {
        return at(at, Clock.systemUTC());
    }

    public static Deadline at(Instant at, Clock clock) {
        return new Deadline(Objects.requireNonNull(at, "at"), null, Objects.requireNonNull(clock, "clock"));
    }

    /** The same deadline, less {@code margin}: work bounded by the result stops that long before the invocation's deadline. */
    public Deadline minus(Margin margin) {
        return new Deadline(at, margin, clock);
    }

    public boolean isNone() {
        return at == null;
    }

    /** The invocation's deadline (without the margin), or empty for {@link #NONE}. */
    public Optional<Instant> instant() {
        return Optional.ofNullable(at);
    }

    /** Milliseconds left before this deadline (margin included), or {@link Long#MAX_VALUE} for {@link #NONE}. */
    public long millisLeft() {
        return at == null ? Long.MAX_VALUE : Duration.between(clock.instant(), at.minus(reserve())).toMillis();
    }

    public boolean passed() {
        return millisLeft() <= 0;
    }

    /** At least {@code time} is left (always true for {@link #NONE}). */
    public boolean hasLeft(Duration time) {
        return millisLeft() >= time.toMillis();
    }

    /** The margin kept before the invocation's deadline, in whole seconds, for messages. */
    public long marginSeconds() {
        return reserve().toSeconds();
    }

    private Duration reserve() {
        return margin == null ? Duration.ZERO : margin.duration;
    }

    /** "ran out of time: {what} stopped 15 s before the invocation's deadline, to leave time to clean up and report". */
    public Exceeded exceeded(String what) {
        return new Exceeded(OUT_OF_TIME + what + " " + stopped());
    }

    /** "stopped 15 s before the invocation's deadline, to leave time to clean up and report". */
    public String stopped() {
        return "stopped " + marginSeconds() + " s before the invocation's deadline" + (margin == null ? "" : ", " + margin.why);
    }

    /** "not run: fewer than 30 s were left before the invocation's deadline". */
    public String notRun() {
        return "not run: fewer than " + marginSeconds() + " s were left before the invocation's deadline";
    }

    /**
     * Runs {@code onExpiry} (once, on a daemon thread) when this deadline passes, unless the returned watch is closed
     * first: how work that cannot check the time itself (a running pg_dump or pg_restore) is bounded. For {@link #NONE},
     * nothing is ever run.
     */
    public Watch watch(String name, Runnable onExpiry) {
        return new Watch(this, name, onExpiry);
    }

    /**
     * The result of {@code f}, waiting no longer than this deadline allows ({@code otherwise} for {@link #NONE}).
     *
     * @throws TimeoutException when the wait ended first
     */
    public <T> T await(Future<T> f, Duration otherwise) throws ExecutionException, InterruptedException, TimeoutException {
        long wait = at == null ? otherwise.toMillis() : Math.max(0, millisLeft());
        return f.get(wait, TimeUnit.MILLISECONDS);
    }

    @Override
    public String toString() {
        return at == null ? "no deadline" : at + (margin == null ? "" : " less " + marginSeconds() + " s");
    }

    /** Runs an action when the deadline passes; {@link #close} cancels it. */
    public static final class Watch implements AutoCloseable {
        private final Thread thread;
        private volatile boolean fired;

        private Watch(Deadline deadline, String name, Runnable onExpiry) {
            if (deadline.isNone()) {
                thread = null;
                return;
            }
            thread = new Thread(() -> {
                try {
                    Thread.sleep(Math.max(0, deadline.millisLeft()));
                    fired = true;
                    onExpiry.run();
                } catch (InterruptedException done) {
                    // finished in time
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** The deadline passed and the action ran. */
        public boolean fired() {
            return fired;
        }

        @Override
        public void close() {
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    /** The time ran out; the message starts with {@link #OUT_OF_TIME} and says what was stopped or not run. */
    public static final class Exceeded extends RuntimeException {
        public Exceeded(String message) {
            super(message);
        }
    }
}
