package com.taskmaster.backup.postgres;

import com.taskmaster.backup.support.Redactor;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A REPEATABLE READ, READ ONLY transaction whose snapshot is exported for pg_dump ({@code pg_dump --snapshot}), so
 * that the backup's time is the snapshot's. Keep it open until pg_dump has started (pg_dump imports the snapshot).
 *
 * <p>It takes no table lock and reads no table: the backup's row counts and content digests come from pg_dump's own
 * stream ({@link com.taskmaster.backup.pgarchive.FingerprintSink}). A migration queued behind pg_dump's locks therefore
 * waits for pg_dump alone, and the database is read once.
 */
public final class SnapshotSession implements AutoCloseable {
    private final Connection conn;
    private final String snapshotId;
    private final PgVersion serverVersion;
    private final long databaseBytes;
    private final Instant takenAt;
    private final String lcMonetary;

    private SnapshotSession(Connection conn, String snapshotId, PgVersion serverVersion, long databaseBytes,
                            Instant takenAt, String lcMonetary) {
        this.conn = conn;
        this.snapshotId = snapshotId;
        this.serverVersion = serverVersion;
        this.databaseBytes = databaseBytes;
        this.takenAt = takenAt;
        this.lcMonetary = lcMonetary;
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
            // clock_timestamp() is read after the snapshot was taken: every commit the snapshot holds happened before
            // it, so a point-in-time restore to "at" never picks a backup holding changes made after "at".
            String snapshotId;
            PgVersion version;
            long bytes;
            Instant takenAt;
            String lcMonetary;
            try (Statement s = conn.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_export_snapshot(), current_setting('server_version_num')::int, "
                         + "current_setting('server_version'), pg_database_size(current_database()), "
                         + "clock_timestamp(), current_setting('lc_monetary')")) {
                rs.next();
                snapshotId = rs.getString(1);
                version = PgVersion.ofServerVersionNum(rs.getInt(2), rs.getString(3));
                bytes = rs.getLong(4);
                takenAt = rs.getObject(5, java.time.OffsetDateTime.class).toInstant();
                lcMonetary = rs.getString(6);
            }
            return new SnapshotSession(conn, snapshotId, version, bytes, takenAt, lcMonetary);
        } catch (SQLException e) {
            closeQuietly(conn);
            throw new DatabaseException("cannot open a snapshot on " + db.describe() + ": " + Redactor.redact(e.getMessage()), e);
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
     * lc_monetary as this session sees it (the same role and database as pg_dump's): recorded with the fingerprints,
     * since it shapes money's text.
     */
    public String lcMonetary() {
        return lcMonetary;
    }

    /**
     * Counts rows of the given tables on {@code conn} (after restoring a backup whose manifest has no content fingerprints). {@code ONLY}:
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

    /** Ends the transaction. */
    @Override
    public void close() {
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
