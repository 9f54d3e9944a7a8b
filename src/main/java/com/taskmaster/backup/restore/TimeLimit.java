package com.taskmaster.backup.restore;

import com.taskmaster.backup.postgres.DatabaseException;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.SnapshotSession;
import com.taskmaster.backup.support.Deadlines;

import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

/**
 * When database work must have ended: {@code reserve} before the invocation's {@code deadline} (a null deadline: no
 * limit). Connections opened here give up connecting by then, and {@link #apply} sets each statement's
 * {@code statement_timeout} to the time left, so that a slow query cannot eat the time kept for dropping a scratch
 * database, writing the report and alerting ({@link Deadlines}).
 *
 * @param why what the reserve is kept for, for the message ("to leave time to clean up and report")
 */
public record TimeLimit(Instant deadline, Duration reserve, String why) {
    /** How every message about a limit reached starts. */
    public static final String OUT_OF_TIME = "ran out of time: ";
    public static final TimeLimit NONE = new TimeLimit(null, Duration.ZERO, "");

    /** No work starts later than {@link Deadlines#MARGIN} before the deadline. */
    public static TimeLimit forWork(Instant deadline) {
        return new TimeLimit(deadline, Deadlines.MARGIN, "so that it can still clean up and report");
    }

    /** Checks after the work (queries on a restored database) end {@link Deadlines#CLEANUP_RESERVE} before the deadline. */
    public static TimeLimit forChecks(Instant deadline) {
        return new TimeLimit(deadline, Deadlines.CLEANUP_RESERVE, "to leave time to clean up and report");
    }

    /** Clean-up (dropping a scratch database) ends {@link Deadlines#REPORT_RESERVE} before the deadline. */
    public static TimeLimit forCleanup(Instant deadline) {
        return new TimeLimit(deadline, Deadlines.REPORT_RESERVE, "to leave time to write the report");
    }

    /** Milliseconds left, or {@link Long#MAX_VALUE} without a deadline. */
    public long millisLeft() {
        return deadline == null ? Long.MAX_VALUE : Duration.between(Instant.now(), deadline.minus(reserve)).toMillis();
    }

    public boolean passed() {
        return millisLeft() <= 0;
    }

    /** "ran out of time: {what} stopped 15 s before the invocation's deadline, to leave time to clean up and report". */
    public Exceeded exceeded(String what) {
        return new Exceeded(OUT_OF_TIME + what + " " + stopped());
    }

    /** "stopped 15 s before the invocation's deadline, to leave time to clean up and report". */
    public String stopped() {
        return "stopped " + reserve.toSeconds() + " s before the invocation's deadline, " + why;
    }

    /** "not run: fewer than 30 s were left before the invocation's deadline". */
    public String notRun() {
        return "not run: fewer than " + reserve.toSeconds() + " s were left before the invocation's deadline";
    }

    /**
     * Connects; without time left, or when connecting outlasts it, throws {@link Exceeded}. A server that stops
     * answering is given up on a second after the limit (socket timeout); the server's own statement timeout comes first.
     */
    public Connection connect(DbCredentials db, String what) {
        Properties p = db.jdbcProperties();
        long left = millisLeft();
        if (left <= 0) {
            throw exceeded(what);
        }
        if (deadline != null) {
            long seconds = Math.max(1, (left + 999) / 1000);
            String connect = Long.toString(Math.min(seconds, Long.parseLong(p.getProperty("connectTimeout", "15"))));
            p.setProperty("connectTimeout", connect);
            p.setProperty("loginTimeout", connect);
            p.setProperty("socketTimeout", Long.toString(seconds + 1));
        }
        try {
            return SnapshotSession.connect(db, p);
        } catch (DatabaseException e) {
            if (passed()) { // connecting was given up on at the limit
                throw exceeded(what);
            }
            throw e;
        }
    }

    /** Limits the next statements on {@code c} to the time left (throws {@link Exceeded} when none is). */
    public void apply(Connection c, String what) throws SQLException {
        apply(c, null, what);
    }

    /** As {@link #apply(Connection, String)}, and to at most {@code atMost} (null: no more limit than the deadline's). */
    public void apply(Connection c, Duration atMost, String what) throws SQLException {
        long ms = Math.min(millisLeft(), atMost == null ? Long.MAX_VALUE : atMost.toMillis());
        if (ms == Long.MAX_VALUE) {
            return;
        }
        if (ms <= 0) {
            throw exceeded(what);
        }
        try (Statement s = c.createStatement()) {
            s.execute("SET statement_timeout = " + ms);
        }
    }

    /** The statement was cancelled by its statement_timeout, or the server did not answer within the socket timeout. */
    public static boolean timedOut(SQLException e) {
        if ("57014".equals(e.getSQLState())) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The time ran out; the message starts with {@link #OUT_OF_TIME} and says what was stopped or not run. */
    public static final class Exceeded extends RestoreFailedException {
        Exceeded(String message) {
            super(message);
        }
    }
}
