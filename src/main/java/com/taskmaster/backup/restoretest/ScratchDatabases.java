package com.taskmaster.backup.restoretest;

import com.taskmaster.backup.postgres.DatabaseException;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.SnapshotSession;
import com.taskmaster.backup.support.Redactor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Creates, measures and drops scratch databases on the restore-test server, through its maintenance database. */
final class ScratchDatabases {
    private final DbCredentials server;

    ScratchDatabases(DbCredentials server) {
        this.server = server;
    }

    void create(String name) {
        execute("CREATE DATABASE " + SnapshotSession.quoteIdent(name) + " TEMPLATE template0", "create scratch database " + name);
    }

    /** Drops the database, disconnecting whatever is still connected to it (PostgreSQL 13+). */
    void drop(String name) {
        execute("DROP DATABASE IF EXISTS " + SnapshotSession.quoteIdent(name) + " WITH (FORCE)", "drop scratch database " + name);
    }

    boolean exists(String name) {
        return databases().contains(name);
    }

    List<String> databases() {
        return SnapshotSession.queryStrings(server, "SELECT datname FROM pg_database ORDER BY 1", "list databases on");
    }

    /** pg_database_size of a database on any server, as the given credentials see it. */
    static long size(DbCredentials db) {
        try (Connection c = SnapshotSession.connect(db);
             PreparedStatement ps = c.prepareStatement("SELECT pg_database_size(current_database())");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new DatabaseException("cannot measure " + db.describe() + ": " + Redactor.redact(e.getMessage()), e);
        }
    }

    private void execute(String sql, String what) {
        try (Connection c = SnapshotSession.connect(server); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new DatabaseException("cannot " + what + " on " + server.describe() + ": " + Redactor.redact(e.getMessage()), e);
        }
    }
}
