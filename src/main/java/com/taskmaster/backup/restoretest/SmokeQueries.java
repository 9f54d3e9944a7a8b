package com.taskmaster.backup.restoretest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.SnapshotSession;
import com.taskmaster.backup.support.Redactor;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The configured smoke queries (one per line): each must return exactly one row whose one column is true. */
public final class SmokeQueries {
    private SmokeQueries() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Outcome(String sql, boolean passed, String error) {
    }

    public static List<String> parse(String lines) {
        return lines == null ? List.of() : Arrays.stream(lines.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /** Runs every query in a read-only transaction, each limited to 60 s. */
    static List<Outcome> run(DbCredentials db, List<String> queries) {
        List<Outcome> out = new ArrayList<>();
        if (queries.isEmpty()) {
            return out;
        }
        try (Connection c = SnapshotSession.connect(db)) {
            c.setReadOnly(true);
            for (String sql : queries) {
                out.add(one(c, sql));
            }
        } catch (SQLException e) {
            out.add(new Outcome("(connect)", false, Redactor.redact(e.getMessage())));
        }
        return out;
    }

    private static Outcome one(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(60);
            try (ResultSet rs = s.executeQuery(sql)) {
                if (!rs.next()) {
                    return new Outcome(sql, false, "returned no row");
                }
                boolean value = rs.getBoolean(1);
                boolean wasNull = rs.wasNull();
                if (rs.next()) {
                    return new Outcome(sql, false, "returned more than one row");
                }
                return wasNull ? new Outcome(sql, false, "returned NULL")
                        : new Outcome(sql, value, value ? null : "returned false");
            }
        } catch (SQLException e) {
            return new Outcome(sql, false, Redactor.redact(e.getMessage()));
        }
    }
}
