package com.taskmaster.backup.postgres;

import com.taskmaster.backup.support.Redactor;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A REPEATABLE READ, READ ONLY transaction whose snapshot is exported for pg_dump
 * ({@code pg_dump --snapshot}), so that the dump and the table fingerprints taken here describe
 * exactly the same state of the database. Keep it open until pg_dump has finished.
 *
 * <p>Right after exporting the snapshot, the session takes ACCESS SHARE locks on every table it will count
 * (as pg_dump does on what it dumps), held until the end. Without them, a table-rewriting migration
 * ({@code ALTER TABLE ... TYPE}, {@code TRUNCATE}: not MVCC-safe) queued behind pg_dump's locks would commit
 * when pg_dump exits, and a count still waiting behind it would then see the rewritten, empty table: a
 * manifest disagreeing with its own dump. With the locks, such a migration waits until the backup ends.
 */
public final class SnapshotSession implements AutoCloseable {
    /** Tables whose data pg_dump dumps: ordinary (and unlogged) tables outside system schemas and extensions. */
    static final String TABLES_SQL = """
            SELECT n.nspname, c.relname
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND c.relpersistence IN ('p', 'u')
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
             ORDER BY 1, 2""";

    private final Connection conn;
    private final String snapshotId;
    private final PgVersion serverVersion;
    private final long databaseBytes;
    private final Instant takenAt;
    private final List<String[]> tables;
    private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();

    private SnapshotSession(Connection conn, String snapshotId, PgVersion serverVersion, long databaseBytes,
                            Instant takenAt, List<String[]> tables) {
        this.conn = conn;
        this.snapshotId = snapshotId;
        this.serverVersion = serverVersion;
        this.databaseBytes = databaseBytes;
        this.takenAt = takenAt;
        this.tables = tables;
    }

    /** How long the session waits for a table lock (a migration holding one): pg_dump's --lock-wait-timeout. */
    public static final Duration LOCK_WAIT = Duration.ofMinutes(2);

    public static SnapshotSession open(DbCredentials db) {
        return open(db, LOCK_WAIT);
    }

    /** @param lockWait how long to wait for each table's lock at most (at most {@link #LOCK_WAIT}; less near a deadline) */
    public static SnapshotSession open(DbCredentials db, Duration lockWait) {
        Connection conn = connect(db);
        try {
            try (Statement s = conn.createStatement()) {
                s.execute("SET statement_timeout = 0");
                s.execute("SET idle_in_transaction_session_timeout = 0");
            }
            conn.setAutoCommit(false);
            conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            conn.setReadOnly(true);
            // clock_timestamp() is read after the snapshot was taken: every commit the snapshot holds happened before
            // it, so a point-in-time restore to "at" never picks a backup holding changes made after "at".
            String snapshotId;
            PgVersion version;
            long bytes;
            Instant takenAt;
            try (Statement s = conn.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_export_snapshot(), current_setting('server_version_num')::int, "
                         + "current_setting('server_version'), pg_database_size(current_database()), "
                         + "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint")) {
                rs.next();
                snapshotId = rs.getString(1);
                version = PgVersion.ofServerVersionNum(rs.getInt(2), rs.getString(3));
                bytes = rs.getLong(4);
                long micros = rs.getLong(5);
                takenAt = Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000);
            }
            List<String[]> tables = new ArrayList<>();
            try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(TABLES_SQL)) {
                while (rs.next()) {
                    tables.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            lock(conn, tables, lockWait.compareTo(LOCK_WAIT) < 0 ? lockWait : LOCK_WAIT);
            return new SnapshotSession(conn, snapshotId, version, bytes, takenAt, tables);
        } catch (SQLException e) {
            closeQuietly(conn);
            throw new DatabaseException("cannot open a snapshot on " + db.describe() + ": " + Redactor.redact(e.getMessage()), e);
        }
    }

    /** ACCESS SHARE locks on {@code tables}, waiting at most {@code wait} for each. */
    private static void lock(Connection conn, List<String[]> tables, Duration wait) throws SQLException {
        try (Statement s = conn.createStatement()) {
            // 0 would mean "wait forever": at least 1 ms
            s.execute("SET LOCAL lock_timeout = '" + Math.max(1, wait.toMillis()) + "ms'");
            for (String[] t : tables) {
                try {
                    s.execute("LOCK TABLE " + quoteIdent(t[0]) + "." + quoteIdent(t[1]) + " IN ACCESS SHARE MODE");
                } catch (SQLException e) {
                    if ("55P03".equals(e.getSQLState())) { // lock_not_available
                        throw new SQLException("table " + t[0] + "." + t[1] + " stayed locked by another session (a migration?)"
                                + " for " + Math.max(1, wait.toMillis()) / 1000.0 + " s", e.getSQLState(), e);
                    }
                    throw e;
                }
            }
        }
    }

    public static Connection connect(DbCredentials db) {
        try {
            return DriverManager.getConnection(db.jdbcUrl(), db.jdbcProperties());
        } catch (SQLException e) {
            throw new DatabaseException("cannot connect to " + db.describe() + " as " + db.user() + ": "
                    + Redactor.redact(e.getMessage()), e);
        }
    }

    /**
     * Runs a query returning one text column on a fresh connection and returns its values;
     * {@code what} names the operation in the error ("list databases on host:port/db: ...").
     */
    public static List<String> queryStrings(DbCredentials db, String sql, String what) {
        try (Connection c = connect(db);
             PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new DatabaseException("cannot " + what + " " + db.describe() + ": " + Redactor.redact(e.getMessage()), e);
        }
    }

    public String snapshotId() {
        return snapshotId;
    }

    public PgVersion serverVersion() {
        return serverVersion;
    }

    public long databaseBytes() {
        return databaseBytes;
    }

    /** When the snapshot was taken, by the server's clock (read just after it): the backup's point in time. */
    public Instant takenAt() {
        return takenAt;
    }

    /**
     * Exact row counts of every table (locked at {@link #open}), inside the snapshot. May run on another thread than
     * {@link #close()}.
     */
    public List<TableFingerprint> fingerprintTables() {
        busy.set(true);
        try {
            return countRows(conn, tables);
        } catch (SQLException e) {
            throw new DatabaseException("cannot fingerprint tables: " + Redactor.redact(e.getMessage()), e);
        } finally {
            busy.set(false);
        }
    }

    /**
     * Counts rows of the given tables on {@code conn} (used for the snapshot and after a restore alike). {@code ONLY}:
     * a table's own rows, without those of tables inheriting from it, which is what pg_dump's COPY of it holds.
     */
    public static List<TableFingerprint> countRows(Connection conn, List<String[]> tables) throws SQLException {
        List<TableFingerprint> out = new ArrayList<>(tables.size());
        for (String[] t : tables) {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT count(*) FROM ONLY " + quoteIdent(t[0]) + "." + quoteIdent(t[1]));
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                out.add(new TableFingerprint(t[0], t[1], rs.getLong(1)));
            }
        }
        return out;
    }

    public static String quoteIdent(String ident) {
        return '"' + ident.replace("\"", "\"\"") + '"';
    }

    /** Ends the transaction; if a count is still running (the backup failed meanwhile), cuts the connection. */
    @Override
    public void close() {
        if (busy.get()) {
            try {
                conn.abort(Runnable::run);
                return;
            } catch (SQLException | RuntimeException ignored) {
                // fall back to an ordinary close
            }
        }
        try {
            conn.rollback();
        } catch (SQLException ignored) {
            // closing anyway
        }
        closeQuietly(conn);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to do
        }
    }
}
