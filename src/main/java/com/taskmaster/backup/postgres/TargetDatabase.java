package com.taskmaster.backup.postgres;

import com.taskmaster.backup.pgarchive.DatabaseFingerprinter;
import com.taskmaster.backup.pgarchive.FingerprintKey;
import com.taskmaster.backup.pgarchive.FingerprintTimeoutException;
import com.taskmaster.backup.pgarchive.Fingerprints;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Redactor;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a restore needs to know about a target database before and after pg_restore (JDBC, read-only queries); the
 * queries after pg_restore end within a {@link Deadline}.
 */
public final class TargetDatabase {
    /** Relations (tables, views, sequences, ...) outside the system schemas and not owned by an extension. */
    public static final String USER_RELATIONS_SQL = """
            SELECT n.nspname || '.' || c.relname
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
             ORDER BY 1""";

    private TargetDatabase() {
    }

    /** The target's user relations (empty list: an empty database). */
    public static List<String> userRelations(DbCredentials db) {
        return SnapshotSession.queryStrings(db, USER_RELATIONS_SQL, "inspect target");
    }

    /** Of {@code roles}, those that do not exist on the target's server; the query ends within {@code deadline}. */
    public static Set<String> missingRoles(DbCredentials db, Set<String> roles, Deadline deadline) {
        String what = "listing the roles on " + db.describe();
        Set<String> missing = new TreeSet<>(roles);
        try (Connection c = BoundedJdbc.connect(db, deadline, what)) {
            BoundedJdbc.limit(c, deadline, what);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT rolname FROM pg_roles")) {
                while (rs.next()) {
                    missing.remove(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw BoundedJdbc.timedOut(e) ? deadline.exceeded(what)
                    : new DatabaseException("cannot list roles on " + db.describe() + ": " + Redactor.redact(e.getMessage()), e);
        }
        return missing;
    }

    /**
     * Exact row counts, on the target, of the manifest's tables (a missing table is an error naming it), each count
     * ending within {@code deadline}.
     */
    public static List<TableFingerprint> fingerprints(DbCredentials db, List<TableFingerprint> like, Deadline deadline) {
        List<TableFingerprint> out = new ArrayList<>(like.size());
        String what = "counting the restored rows on " + db.describe();
        try (Connection c = BoundedJdbc.connect(db, deadline, what)) {
            for (TableFingerprint t : like) {
                what = "counting the restored rows of " + t.qualifiedName() + " (" + out.size() + " of " + like.size()
                        + " tables counted) on " + db.describe();
                BoundedJdbc.limit(c, deadline, what);
                out.addAll(SnapshotSession.countRows(c, List.<String[]>of(new String[] {t.schema(), t.name()})));
            }
            return out;
        } catch (SQLException e) {
            throw BoundedJdbc.timedOut(e) ? deadline.exceeded(what)
                    : new DatabaseException("cannot count rows on " + db.describe() + " after the restore: "
                    + Redactor.redact(e.getMessage()), e);
        }
    }

    /**
     * Recomputes {@code expected}'s content fingerprints on the target ({@link DatabaseFingerprinter}: COPY per table with
     * the recorded text form), ending within {@code deadline}; a table that cannot be read is listed, not thrown.
     */
    public static DatabaseFingerprinter.Result contentFingerprints(DbCredentials db, Fingerprints expected, FingerprintKey key,
                                                                   Deadline deadline) {
        String what = "fingerprinting the restored tables on " + db.describe();
        Properties p = db.jdbcProperties();
        p.setProperty("allowEncodingChanges", "true"); // the archive's client_encoding may not be UTF8
        try (Connection c = BoundedJdbc.connect(db, p, deadline, what)) {
            Instant until = Instant.now().plusMillis(Math.min(deadline.millisLeft(), Duration.ofDays(1).toMillis()));
            return DatabaseFingerprinter.fingerprint(c, expected, key, until);
        } catch (FingerprintTimeoutException e) {
            throw deadline.exceeded(what + " (" + e.getMessage() + ")");
        } catch (SQLException | IOException e) {
            throw new DatabaseException("cannot fingerprint the restored tables on " + db.describe() + ": "
                    + Redactor.redact(e.getMessage()), e);
        }
    }
}
