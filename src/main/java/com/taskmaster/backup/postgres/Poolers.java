package com.taskmaster.backup.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Transaction-pooling endpoints (PgBouncer in transaction mode, Neon's {@code -pooler} hosts, Supabase's port 6543) hand
 * each transaction whichever server connection is free: the backup's exported snapshot and pg_dump's session settings
 * may then land on other backends, and a dump can appear to succeed while it is not the snapshot counted. They are
 * refused before anything is written, by host name ({@link KnownEndpoints#transactionPooler}) and by behaviour
 * ({@link #probe}): a pooler in front of an unknown name is found all the same.
 */
public final class Poolers {
    static final String ADVICE = "use the direct (session) endpoint";
    /** duplicate_prepared_statement, invalid_sql_statement_name: named statements of another session. */
    private static final java.util.Set<String> POOLED_STATEMENT_STATES = java.util.Set.of("42P05", "26000");

    private Poolers() {
    }

    /** Refuses {@code spec} when its host name is a known transaction pooler. */
    public static void refuseByName(ConnectionSpec spec) {
        KnownEndpoints.transactionPooler(spec.host(), spec.port()).ifPresent(direct -> {
            throw new PoolerException(spec.describe() + " is a transaction-pooling endpoint, which cannot keep a snapshot for "
                    + "pg_dump: " + ADVICE + ": " + direct);
        });
    }

    /**
     * Behaviour probe on two new connections A and B: on a direct server (or a session pooler) each is one backend for
     * its whole life, so {@code pg_backend_pid()} stays the same across statements and differs between them. A
     * transaction pooler assigns a backend per transaction: with A's transaction open, B is served by another backend;
     * when A commits, PgBouncer (most recently released first, its default) hands A's backend to B's next statement.
     * Refuses {@code db} when any of that shows.
     */
    public static void probe(DbCredentials db) {
        try (Connection a = SnapshotSession.connect(db); Connection b = SnapshotSession.connect(db)) {
            int a1 = pid(a);
            a.setAutoCommit(false);
            int a2 = pid(a);
            int b1 = pid(b);
            a.commit();
            int b2 = pid(b);
            if (a1 != a2 || b1 != b2 || a2 == b1 || a2 == b2) {
                throw new PoolerException(db.describe() + " behaves like a transaction-pooling endpoint (backend process ids "
                        + a1 + "," + a2 + " and " + b1 + "," + b2 + " of two connections across statements), which cannot "
                        + "keep a snapshot for pg_dump: " + ADVICE + " (the database server itself, or a pooler in session mode)");
            }
        } catch (SQLException e) {
            if (POOLED_STATEMENT_STATES.contains(e.getSQLState())) {
                // pgJDBC names its statements per connection: one that exists already, or has vanished, on "its" backend
                // means another client's session, i.e. backends handed around by a transaction pooler.
                throw new PoolerException(db.describe() + " behaves like a transaction-pooling endpoint (" + e.getMessage()
                        + ": another client's prepared statements on this connection's backend), which cannot keep a snapshot "
                        + "for pg_dump: " + ADVICE + " (the database server itself, or a pooler in session mode)");
            }
            throw new DatabaseException("probing " + db.describe() + " for a transaction pooler failed: "
                    + com.taskmaster.backup.support.Redactor.redact(e.getMessage()), e);
        }
    }

    static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** An endpoint the backup cannot use: the message says which to use instead. */
    public static final class PoolerException extends DatabaseException {
        PoolerException(String message) {
            super(message);
        }
    }
}
