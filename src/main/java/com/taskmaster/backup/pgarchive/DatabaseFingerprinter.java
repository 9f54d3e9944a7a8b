package com.taskmaster.backup.pgarchive;

import org.postgresql.PGConnection;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Recomputes an archive's fingerprints on a restored database: per table {@code COPY schema.table (the
 * archive's columns) TO STDOUT}, streamed through the same row digest; every large object's contents; every
 * sequence's {@code last_value, is_called}. All in one read-only REPEATABLE READ transaction, with the archive's
 * client encoding and session settings (SET LOCAL, undone at the end), and {@code row_security = off} so that
 * row-level security makes COPY fail instead of silently showing fewer rows.
 *
 * <p>Bounded by a deadline: each statement runs with {@code statement_timeout} set to the time left, and the
 * work stops between tables (and between large objects) once the deadline has passed.
 *
 * <p>An archive in an encoding other than UTF8 needs a connection opened with pgJDBC's
 * {@code allowEncodingChanges=true}: the driver otherwise refuses to change client_encoding.
 */
public final class DatabaseFingerprinter {
    /** A table or sequence that could not be read (missing, a column missing, no privilege...). */
    public record Unreadable(String kind, String schema, String name, String reason) {
        public String displayName() {
            return Sql.display(schema + "." + name);
        }
    }

    /** What the restored database holds, in the archive's terms. */
    public record Result(Fingerprints fingerprints, List<Unreadable> unreadable) {
        public Result {
            unreadable = List.copyOf(unreadable);
        }
    }

    private static final String QUERY_CANCELED = "57014";
    private static final int LO_PAGE = 1000;
    private static final int LO_BUFFER = 256 * 1024;

    private final Connection connection;
    private final Fingerprints expected;
    private final RowHasher hasher;
    private final Instant deadline;
    private final List<Unreadable> unreadable = new ArrayList<>();

    private DatabaseFingerprinter(Connection connection, Fingerprints expected, FingerprintKey key, Instant deadline) {
        this.connection = connection;
        this.expected = expected;
        this.hasher = new RowHasher(key);
        this.deadline = deadline;
    }

    /**
     * Fingerprints the database behind {@code connection} the way {@code expected} was taken (its tables, column
     * lists, encoding and settings). The connection is left as it was (autocommit restored, settings undone).
     */
    public static Result fingerprint(Connection connection, Fingerprints expected, FingerprintKey key, Instant deadline)
            throws SQLException, IOException, FingerprintTimeoutException {
        return new DatabaseFingerprinter(connection, expected, key, deadline).run();
    }

    private Result run() throws SQLException, IOException, FingerprintTimeoutException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            begin();
            List<TableDigest> tables = new ArrayList<>();
            List<TableDigest> want = expected.tables();
            for (int i = 0; i < want.size(); i++) {
                checkDeadline("after " + i + " of " + want.size() + " tables (next: " + want.get(i).displayName() + ")");
                TableDigest t = copyTable(want.get(i));
                if (t != null) {
                    tables.add(t);
                }
            }
            LargeObjectsDigest los = largeObjects();
            List<SequenceValue> sequences = new ArrayList<>();
            for (SequenceValue s : expected.sequences()) {
                checkDeadline("after the tables and large objects, reading sequences");
                SequenceValue v = sequence(s);
                if (v != null) {
                    sequences.add(v);
                }
            }
            Fingerprints actual = new Fingerprints(expected.algorithm(), expected.textForm(), tables, los, sequences);
            return new Result(actual, unreadable);
        } finally {
            if (!connection.isClosed()) {   // pgJDBC closes it itself when client_encoding changes unexpectedly
                try {
                    connection.rollback();
                } finally {
                    connection.setAutoCommit(autoCommit);
                }
            }
        }
    }

    private void begin() throws SQLException {
        if (!Fingerprints.ALGORITHM.equals(expected.algorithm())) {
            throw new IllegalArgumentException("unknown fingerprint algorithm " + expected.algorithm());
        }
        try (Statement st = connection.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            String encoding = expected.textForm().clientEncoding();
            if (!isUtf8(encoding)) {
                try {
                    st.execute("SET LOCAL client_encoding = " + Sql.literal(encoding));
                } catch (SQLException e) {
                    throw new SQLException("cannot switch to the archive's client encoding " + encoding + " (open the "
                            + "connection with allowEncodingChanges=true; pgJDBC closes it otherwise): " + e.getMessage(), e.getSQLState(), e);
                }
            }
            for (String set : expected.textForm().session().setLocalStatements()) {
                try {
                    st.execute(set);
                } catch (SQLException e) {
                    throw new SQLException("cannot reproduce the archive's text form on this server (" + set + "): "
                            + e.getMessage(), e.getSQLState(), e);
                }
            }
            st.execute("SET LOCAL row_security = off");
        }
    }

    private TableDigest copyTable(TableDigest t) throws SQLException, IOException, FingerprintTimeoutException {
        String sql = "COPY " + t.qualifiedSql() + (t.columns().isEmpty() ? "" : " " + Sql.columns(t.columns())) + " TO STDOUT";
        CopyRows rows = new CopyRows(hasher, false, "table " + t.displayName());
        boolean read = guarded("table", t.schema(), t.name(), "while copying table " + t.displayName(), () -> {
            connection.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, new SinkStream(rows));
            rows.finish();
        });
        return read ? new TableDigest(t.schema(), t.name(), t.columns(), rows.rows(), rows.digest()) : null;
    }

    private LargeObjectsDigest largeObjects() throws SQLException, IOException, FingerprintTimeoutException {
        MultisetDigest digest = new MultisetDigest();
        LargeObjectManager lom = connection.unwrap(PGConnection.class).getLargeObjectAPI();
        byte[] buf = new byte[LO_BUFFER];
        long after = -1;
        try (PreparedStatement page = connection.prepareStatement(
                "SELECT oid::bigint FROM pg_catalog.pg_largeobject_metadata WHERE oid::bigint > ? ORDER BY 1 LIMIT " + LO_PAGE)) {
            for (;;) {
                setTimeout();
                page.setLong(1, after);
                List<Long> oids = new ArrayList<>();
                try (ResultSet rs = page.executeQuery()) {
                    while (rs.next()) {
                        oids.add(rs.getLong(1));
                    }
                } catch (SQLException e) {
                    throw canceledOr(e, "while listing large objects");
                }
                for (long oid : oids) {
                    checkDeadline("after " + digest.count() + " large objects");
                    hasher.begin(RowHasher.largeObjectPrefix(oid));
                    try {
                        LargeObject lo = lom.open(oid, LargeObjectManager.READ);
                        try {
                            for (int n; (n = lo.read(buf, 0, buf.length)) > 0; ) {
                                hasher.update(buf, 0, n);
                            }
                        } finally {
                            lo.close();
                        }
                    } catch (SQLException e) {
                        throw canceledOr(e, "while reading large object " + oid);
                    }
                    digest.add(hasher.finish());
                }
                if (oids.size() < LO_PAGE) {
                    return new LargeObjectsDigest(digest.count(), digest.hex());
                }
                after = oids.get(oids.size() - 1);
            }
        }
    }

    private SequenceValue sequence(SequenceValue s) throws SQLException, IOException, FingerprintTimeoutException {
        SequenceValue[] value = new SequenceValue[1];
        boolean read = guarded("sequence", s.schema(), s.name(), "while reading sequence " + s.displayName(), () -> {
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM " + s.qualifiedSql())) {
                rs.next();
                value[0] = new SequenceValue(s.schema(), s.name(), rs.getLong(1), rs.getBoolean(2));
            }
        });
        return read ? value[0] : null;
    }

    private interface SqlWork {
        void run() throws SQLException, IOException;
    }

    /**
     * Runs one object's statement with the time left as statement_timeout, inside a savepoint: an error (missing
     * table, missing column, no privilege) marks the object unreadable and the transaction goes on; a
     * cancellation by the timeout ends everything.
     */
    private boolean guarded(String kind, String schema, String name, String where, SqlWork work)
            throws SQLException, IOException, FingerprintTimeoutException {
        try (Statement st = connection.createStatement()) {
            st.execute("SET LOCAL statement_timeout = " + remainingMillis());
            st.execute("SAVEPOINT fingerprint");
            try {
                work.run();
            } catch (SQLException e) {
                if (QUERY_CANCELED.equals(e.getSQLState())) {
                    throw timeout(where);
                }
                st.execute("ROLLBACK TO SAVEPOINT fingerprint");
                unreadable.add(new Unreadable(kind, schema, name, e.getMessage()));
                return false;
            }
            st.execute("RELEASE SAVEPOINT fingerprint");
            return true;
        }
    }

    private SQLException canceledOr(SQLException e, String where) throws FingerprintTimeoutException {
        if (QUERY_CANCELED.equals(e.getSQLState())) {
            throw timeout(where);
        }
        return e;
    }

    private void setTimeout() throws SQLException, FingerprintTimeoutException {
        try (Statement st = connection.createStatement()) {
            st.execute("SET LOCAL statement_timeout = " + remainingMillis());
        }
    }

    private long remainingMillis() throws FingerprintTimeoutException {
        long ms = Duration.between(Instant.now(), deadline).toMillis();
        if (ms <= 0) {
            throw timeout("before the next statement");
        }
        return ms;
    }

    private void checkDeadline(String progress) throws FingerprintTimeoutException {
        if (Thread.currentThread().isInterrupted()) {
            throw new FingerprintTimeoutException("fingerprinting the restored database was interrupted " + progress);
        }
        if (!Instant.now().isBefore(deadline)) {
            throw timeout(progress);
        }
    }

    private FingerprintTimeoutException timeout(String progress) {
        return new FingerprintTimeoutException("the deadline (" + deadline + ") passed " + progress
                + ": the restored database's fingerprints are incomplete, nothing was compared");
    }

    private static boolean isUtf8(String encoding) {
        String e = encoding.toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
        return e.equals("UTF8") || e.equals("UNICODE");
    }

    /** COPY's rows into the digest; pgJDBC writes one row per call. */
    private static final class SinkStream extends OutputStream {
        private final CopyRows rows;

        SinkStream(CopyRows rows) {
            this.rows = rows;
        }

        @Override
        public void write(int b) throws IOException {
            rows.accept(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            rows.accept(b, off, len);
        }
    }
}
