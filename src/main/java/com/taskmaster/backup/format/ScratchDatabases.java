package com.taskmaster.backup.format;

import com.taskmaster.backup.postgres.BoundedJdbc;
import com.taskmaster.backup.postgres.DatabaseException;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.SnapshotSession;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Redactor;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates, measures and drops scratch databases on the restore-test server, through its maintenance database; every
 * statement ends within the {@link Deadline} it is given.
 */
public final class ScratchDatabases {
    private final DbCredentials server;

    public ScratchDatabases(DbCredentials server) {
        this.server = server;
    }

    /** The comment that marks a database this tool created (its own name in it: a renamed database loses the mark). */
    public static String marker(String name) {
        return "taskmaster-backup restore-test scratch database " + name;
    }

    /** Creates the database and marks it ({@link #marker}): only marked databases are ever swept as leftovers. */
    public void create(String name, Deadline limit) {
        execute("CREATE DATABASE " + SnapshotSession.quoteIdent(name) + " TEMPLATE template0", "create scratch database " + name, limit);
        execute("COMMENT ON DATABASE " + SnapshotSession.quoteIdent(name) + " IS '" + marker(name) + "'",
                "mark scratch database " + name, limit);
    }

    /** Drops the database, disconnecting whatever is still connected to it (PostgreSQL 13+). */
    public void drop(String name, Deadline limit) {
        execute("DROP DATABASE IF EXISTS " + SnapshotSession.quoteIdent(name) + " WITH (FORCE)", "drop scratch database " + name, limit);
    }

    /** The databases this tool demonstrably created: owned by this role and carrying their {@link #marker}. */
    public List<String> markedDatabases(Deadline limit) {
        List<String> out = new ArrayList<>();
        query(server, "SELECT d.datname FROM pg_database d WHERE d.datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
                        + " AND shobj_description(d.oid, 'pg_database') = 'taskmaster-backup restore-test scratch database ' || d.datname"
                        + " ORDER BY 1", "list databases on " + server.describe(), limit, rs -> out.add(rs.getString(1)));
        return out;
    }

    /** The server's cluster system identifier, or null when it cannot be read (see SnapshotSession). */
    public String systemIdentifier(Deadline limit) {
        String[] id = new String[1];
        try {
            query(server, "SELECT system_identifier::text FROM pg_control_system()", "read the system identifier of "
                    + server.describe(), limit, rs -> id[0] = rs.getString(1));
        } catch (DatabaseException e) {
            return null;
        }
        return id[0];
    }

    /** pg_database_size of a database on any server, as the given credentials see it. */
    public static long size(DbCredentials db, Deadline limit) {
        long[] size = new long[1];
        query(db, "SELECT pg_database_size(current_database())", "measure " + db.describe(), limit, rs -> size[0] = rs.getLong(1));
        return size[0];
    }

    private interface Row {
        void accept(ResultSet rs) throws SQLException;
    }

    private static void query(DbCredentials db, String sql, String what, Deadline limit, Row row) {
        String attempt = "the attempt to " + what;
        try (Connection c = BoundedJdbc.connect(db, limit, attempt); Statement s = c.createStatement()) {
            BoundedJdbc.limit(c, limit, attempt);
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    row.accept(rs);
                }
            }
        } catch (SQLException e) {
            throw failure(what, limit, e);
        }
    }

    private void execute(String sql, String what, Deadline limit) {
        String attempt = "the attempt to " + what + " on " + server.describe();
        try (Connection c = BoundedJdbc.connect(server, limit, attempt); Statement s = c.createStatement()) {
            BoundedJdbc.limit(c, limit, attempt);
            s.execute(sql);
        } catch (SQLException e) {
            throw failure(what + " on " + server.describe(), limit, e);
        }
    }

    private static RuntimeException failure(String what, Deadline limit, SQLException e) {
        return BoundedJdbc.timedOut(e) ? limit.exceeded("the attempt to " + what)
                : new DatabaseException("cannot " + what + ": " + Redactor.redact(e.getMessage()), e);
    }
}
