package com.taskmaster.backup.format;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.postgres.BoundedJdbc;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Redactor;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static com.taskmaster.backup.support.Deadline.OUT_OF_TIME;

/** The configured smoke queries (one per line): each must return exactly one row whose one column is true. */
public final class SmokeQueries {
    private static final Duration EACH = Duration.ofSeconds(60);

    private SmokeQueries() {
    }

    /**
     * One query's outcome; {@code notRun} is true (else absent) for a query skipped because too little time was left,
     * which fails the run like a failing query.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Outcome(String sql, boolean passed, String error, Boolean notRun) {
        Outcome(String sql, boolean passed, String error) {
            this(sql, passed, error, null);
        }

        /** The line for the report's failures: "smoke query failed: ..." or "ran out of time: smoke query ... ". */
        @JsonIgnore
        public String failure() {
            return error != null && error.startsWith(OUT_OF_TIME)
                    ? OUT_OF_TIME + "smoke query " + sql + " " + error.substring(OUT_OF_TIME.length())
                    : "smoke query failed: " + sql + ": " + error;
        }
    }

    public static List<String> parse(String lines) {
        return lines == null ? List.of() : Arrays.stream(lines.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * Runs every query in a read-only transaction, each limited to 60 s and to end within {@code ends}; a query is not
     * started once {@code starts} has passed (it is reported not run).
     */
    public static List<Outcome> run(DbCredentials db, List<String> queries, Deadline starts, Deadline ends) {
        List<Outcome> out = new ArrayList<>();
        if (queries.isEmpty()) {
            return out;
        }
        if (starts.passed()) {
            queries.forEach(sql -> out.add(notRun(sql, starts)));
            return out;
        }
        try (Connection c = BoundedJdbc.connect(db, ends, "connecting for the smoke queries")) {
            c.setReadOnly(true);
            for (String sql : queries) {
                out.add(starts.passed() ? notRun(sql, starts) : one(c, sql, starts, ends));
            }
        } catch (SQLException e) {
            out.add(new Outcome("(connect)", false, Redactor.redact(e.getMessage())));
        } catch (Deadline.Exceeded e) { // connecting outlasted the time left
            String why = OUT_OF_TIME + "not run: " + e.getMessage().substring(OUT_OF_TIME.length());
            queries.stream().skip(out.size()).forEach(sql -> out.add(new Outcome(sql, false, why, true)));
        }
        return out;
    }

    private static Outcome notRun(String sql, Deadline starts) {
        return new Outcome(sql, false, OUT_OF_TIME + starts.notRun(), true);
    }

    private static Outcome one(Connection c, String sql, Deadline starts, Deadline ends) {
        boolean deadlineFirst = ends.millisLeft() < EACH.toMillis();
        try (Statement s = c.createStatement()) {
            BoundedJdbc.limit(c, ends, EACH, "the smoke query");
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
        } catch (Deadline.Exceeded e) { // no time left to start it
            return notRun(sql, starts);
        } catch (SQLException e) {
            if (BoundedJdbc.timedOut(e) && deadlineFirst) {
                return new Outcome(sql, false, OUT_OF_TIME + ends.stopped());
            }
            return new Outcome(sql, false, BoundedJdbc.timedOut(e) ? "did not finish within " + EACH.toSeconds() + " s"
                    : Redactor.redact(e.getMessage()));
        }
    }
}
