package com.taskmaster.backup.postgres;

import com.taskmaster.backup.support.Redactor;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A REPEATABLE READ, READ ONLY transaction whose snapshot is exported for pg_dump
 * ({@code pg_dump --snapshot}), so that the dump and the table fingerprints taken here describe
 * exactly the same state of the database. Keep it open until pg_dump has finished.
 *
 * <p>Before counting, the session takes ACCESS SHARE locks on every table it counts, held until the end, and only
 * once pg_dump holds its own (the caller waits for pg_dump's first output, which pg_dump writes after locking every
 * table it dumps). A table-rewriting migration ({@code ALTER TABLE ... TYPE}, {@code TRUNCATE}: not MVCC-safe) that
 * arrives later waits for both. One already queued behind pg_dump's lock would be granted before ours and commit when
 * pg_dump exits; a count waiting behind it would then see the rewritten, empty table (a manifest disagreeing with
 * its own dump). While pg_dump holds its lock, only such a queued request can make ours wait, so ours are given
 * {@link #LOCK_GRACE} and the backup fails, naming the table, rather than counting wrongly. Locking before pg_dump
 * instead would make pg_dump queue behind such a migration, which queues behind us: a wait cycle the server
 * cannot see, holding the migration (and the application's queries behind it) until pg_dump's lock timeout.
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

    /** How long the counting session waits, in all, for its table locks while pg_dump holds its own. */
    public static final Duration LOCK_GRACE = Duration.ofSeconds(5);

    /** Opens the session; a transaction-pooling endpoint is refused first ({@link Poolers#probe}). */
    public static SnapshotSession open(DbCredentials db) {
        Poolers.probe(db);
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
                         + "clock_timestamp()")) {
                rs.next();
                snapshotId = rs.getString(1);
                version = PgVersion.ofServerVersionNum(rs.getInt(2), rs.getString(3));
                bytes = rs.getLong(4);
                takenAt = rs.getObject(5, java.time.OffsetDateTime.class).toInstant();
            }
            List<String[]> tables = new ArrayList<>();
            try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(TABLES_SQL)) {
                while (rs.next()) {
                    tables.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            return new SnapshotSession(conn, snapshotId, version, bytes, takenAt, tables);
        } catch (SQLException e) {
            closeQuietly(conn);
            throw new DatabaseException("cannot open a snapshot on " + db.describe() + ": " + Redactor.redact(e.getMessage()), e);
        }
    }

    /**
     * ACCESS SHARE locks on {@code tables}, waiting at most {@code grace} in all; then no lock timeout again (a count
     * may wait for a lock on an index, e.g. behind a REINDEX, like pg_dump's COPY).
     */
    private static void lock(Connection conn, List<String[]> tables, Duration grace) throws SQLException {
        Instant until = Instant.now().plus(grace);
        try (Statement s = conn.createStatement()) {
            for (String[] t : tables) {
                long left = Math.max(1, Duration.between(Instant.now(), until).toMillis()); // 0 would mean "wait forever"
                s.execute("SET LOCAL lock_timeout = '" + left + "ms'");
                try {
                    s.execute("LOCK TABLE " + quoteIdent(t[0]) + "." + quoteIdent(t[1]) + " IN ACCESS SHARE MODE");
                } catch (SQLException e) {
                    if ("55P03".equals(e.getSQLState())) { // lock_not_available
                        throw new SQLException("table " + t[0] + "." + t[1] + " has a lock request queued behind pg_dump's (a "
                                + "migration?), which would commit under the row count: the counts would not match the dump",
                                e.getSQLState(), e);
                    }
                    throw e;
                }
            }
            s.execute("SET LOCAL lock_timeout = 0");
        }
    }

    public static Connection connect(DbCredentials db) {
        return connect(db, db.jdbcProperties());
    }

    /** As {@link #connect(DbCredentials)}, with {@code properties} (db's own, adjusted: timeouts) for the driver. */
    public static Connection connect(DbCredentials db, Properties properties) {
        try {
            return DriverManager.getConnection(db.jdbcUrl(), properties);
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
     * Locks every table (see the class comment: call it once pg_dump holds its locks), then counts each table's rows
     * exactly, inside the snapshot. May run on another thread than {@link #close()}.
     */
    public List<TableFingerprint> fingerprintTables() {
        busy.set(true);
        try {
            lock(conn, tables, LOCK_GRACE);
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
