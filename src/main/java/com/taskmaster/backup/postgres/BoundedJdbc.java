package com.taskmaster.backup.postgres;

import com.taskmaster.backup.support.Deadline;

import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * JDBC work bounded by a {@link Deadline}: connections opened here give up connecting by then, and {@link #limit} sets
 * each statement's {@code statement_timeout} to the time left, so that a slow query cannot eat the time kept for
 * dropping a scratch database, writing the report and alerting.
 */
public final class BoundedJdbc {
    private BoundedJdbc() {
    }

    /**
     * Connects; without time left, or when connecting outlasts it, throws {@link Deadline.Exceeded}. A server that stops
     * answering is given up on a second after the limit (socket timeout); the server's own statement timeout comes first.
     */
    public static Connection connect(DbCredentials db, Deadline deadline, String what) {
        return connect(db, db.jdbcProperties(), deadline, what);
    }

    /** As {@link #connect(DbCredentials, Deadline, String)}, with {@code p} (db's own properties, adjusted) for the driver. */
    public static Connection connect(DbCredentials db, Properties p, Deadline deadline, String what) {
        long left = deadline.millisLeft();
        if (left <= 0) {
            throw deadline.exceeded(what);
        }
        if (!deadline.isNone()) {
            long seconds = Math.max(1, (left + 999) / 1000);
            String connect = Long.toString(Math.min(seconds, Long.parseLong(p.getProperty("connectTimeout", "15"))));
            p.setProperty("connectTimeout", connect);
            p.setProperty("loginTimeout", connect);
            p.setProperty("socketTimeout", Long.toString(seconds + 1));
        }
        try {
            return SnapshotSession.connect(db, p);
        } catch (DatabaseException e) {
            if (deadline.passed()) { // connecting was given up on at the limit
                throw deadline.exceeded(what);
            }
            throw e;
        }
    }

    /** Limits the next statements on {@code c} to the time left (throws {@link Deadline.Exceeded} when none is). */
    public static void limit(Connection c, Deadline deadline, String what) throws SQLException {
        limit(c, deadline, null, what);
    }

    /** As {@link #limit(Connection, Deadline, String)}, and to at most {@code atMost} (null: no more limit than the deadline's). */
    public static void limit(Connection c, Deadline deadline, Duration atMost, String what) throws SQLException {
        long ms = Math.min(deadline.millisLeft(), atMost == null ? Long.MAX_VALUE : atMost.toMillis());
        if (ms == Long.MAX_VALUE) {
            return;
        }
        if (ms <= 0) {
            throw deadline.exceeded(what);
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
}
