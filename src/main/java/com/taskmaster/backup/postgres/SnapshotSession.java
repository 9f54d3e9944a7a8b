package com.taskmaster.backup.postgres;

import com.taskmaster.backup.support.Redactor;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A REPEATABLE READ, READ ONLY transaction whose snapshot is exported for pg_dump
 * ({@code pg_dump --snapshot}), so that the dump and the table fingerprints taken here describe
 * exactly the same state of the database. Keep it open until pg_dump has finished.
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
    private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();

    private SnapshotSession(Connection conn, String snapshotId, PgVersion serverVersion, long databaseBytes) {
        this.conn = conn;
        this.snapshotId = snapshotId;
        this.serverVersion = serverVersion;
        this.databaseBytes = databaseBytes;
    }

    public static SnapshotSession open(DbCredentials db) {
        Connection conn = connect(db);
        try {
            try (Statement s = conn.createStatement()) {
                s.execute("SET statement_timeout = 0");
                s.execute("SET idle_in_transaction_session_timeout = 0");
            }
            conn.setAutoCommit(false);
            conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            conn.setReadOnly(true);
            try (Statement s = conn.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_export_snapshot(), current_setting('server_version_num')::int, "
                         + "current_setting('server_version'), pg_database_size(current_database())")) {
                rs.next();
                return new SnapshotSession(conn, rs.getString(1),
                        PgVersion.ofServerVersionNum(rs.getInt(2), rs.getString(3)), rs.getLong(4));
            }
        } catch (SQLException e) {
            closeQuietly(conn);
            throw new DatabaseException("cannot open a snapshot on " + db.describe() + ": " + Redactor.redact(e.getMessage()), e);
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

    /** Exact row counts of every table, inside the snapshot. May run on another thread than {@link #close()}. */
    public List<TableFingerprint> fingerprintTables() {
        busy.set(true);
        try {
            List<String[]> tables = new ArrayList<>();
            try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(TABLES_SQL)) {
                while (rs.next()) {
                    tables.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            return countRows(conn, tables);
        } catch (SQLException e) {
            throw new DatabaseException("cannot fingerprint tables: " + Redactor.redact(e.getMessage()), e);
        } finally {
            busy.set(false);
        }
    }

    /** Counts rows of the given tables on {@code conn} (used for the snapshot and after a restore alike). */
    public static List<TableFingerprint> countRows(Connection conn, List<String[]> tables) throws SQLException {
        List<TableFingerprint> out = new ArrayList<>(tables.size());
        for (String[] t : tables) {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT count(*) FROM " + quoteIdent(t[0]) + "." + quoteIdent(t[1]));
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
