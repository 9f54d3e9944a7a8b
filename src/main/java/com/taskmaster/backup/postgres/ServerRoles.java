package com.taskmaster.backup.postgres;

import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Redactor;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;

/** Creates and drops roles on a server (roles are server-wide; any database of it will do), within a {@link Deadline}. */
public final class ServerRoles {
    private ServerRoles() {
    }

    /** Runs {@code statements} (CREATE ROLE, GRANT role TO member) in one transaction: all of them, or none. */
    public static void create(DbCredentials db, List<String> statements, Deadline deadline) {
        String what = "creating roles on " + db.describe();
        try (Connection c = BoundedJdbc.connect(db, deadline, what)) {
            BoundedJdbc.limit(c, deadline, what);
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String sql : statements) {
                    s.execute(sql);
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw BoundedJdbc.timedOut(e) ? deadline.exceeded(what)
                    : new DatabaseException("cannot create roles on " + db.describe() + " (none was created): "
                    + Redactor.redact(e.getMessage()), e);
        }
    }

    /** Drops {@code roles} (which must own nothing any more), in one transaction. */
    public static void drop(DbCredentials db, Collection<String> roles, Deadline deadline) {
        if (roles.isEmpty()) {
            return;
        }
        String what = "dropping roles " + roles + " on " + db.describe();
        try (Connection c = BoundedJdbc.connect(db, deadline, what)) {
            BoundedJdbc.limit(c, deadline, what);
            try (Statement s = c.createStatement()) {
                s.execute("DROP ROLE " + String.join(", ", roles.stream().map(SnapshotSession::quoteIdent).toList()));
            }
        } catch (SQLException e) {
            throw BoundedJdbc.timedOut(e) ? deadline.exceeded(what)
                    : new DatabaseException("cannot drop roles " + roles + " on " + db.describe() + ": "
                    + Redactor.redact(e.getMessage()), e);
        }
    }
}
