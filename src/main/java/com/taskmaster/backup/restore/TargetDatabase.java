package com.taskmaster.backup.restore;

import com.taskmaster.backup.postgres.DatabaseException;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.SnapshotSession;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.support.Redactor;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** What restore needs to know about a target database before and after pg_restore (JDBC, read-only queries). */
final class TargetDatabase {
    /** Relations (tables, views, sequences, ...) outside the system schemas and not owned by an extension. */
    static final String USER_RELATIONS_SQL = """
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
    static List<String> userRelations(DbCredentials db) {
        return SnapshotSession.queryStrings(db, USER_RELATIONS_SQL, "inspect target");
    }

    /** Of {@code roles}, those that do not exist on the target's server. */
    static Set<String> missingRoles(DbCredentials db, Set<String> roles) {
        Set<String> missing = new TreeSet<>(roles);
        missing.removeAll(SnapshotSession.queryStrings(db, "SELECT rolname FROM pg_roles", "list roles on"));
        return missing;
    }

    /** Exact row counts, on the target, of the manifest's tables (a missing table is an error naming it). */
    static List<TableFingerprint> fingerprints(DbCredentials db, List<TableFingerprint> like) {
        try (Connection c = SnapshotSession.connect(db)) {
            return SnapshotSession.countRows(c, like.stream().map(t -> new String[] {t.schema(), t.name()}).toList());
        } catch (SQLException e) {
            throw new DatabaseException("cannot count rows on " + db.describe() + " after the restore: "
                    + Redactor.redact(e.getMessage()), e);
        }
    }
}
