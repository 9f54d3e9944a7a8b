package com.taskmaster.backup.restore;

import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.RestoreFailedException;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.ServerRoles;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.InvalidRequestException;
import com.taskmaster.backup.support.Redactor;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A confirmed restore over an existing database, without ever changing that database until the new one is proven:
 * <pre>
 *   check (CREATEDB, owner of the target or superuser, both new names free) ─► nothing touched when refused
 *   ─► CREATE DATABASE &lt;name&gt;_restore_&lt;time&gt; beside it (the target's owner, encoding and locale)
 *   ─► {@link DatabaseRestore} into it (one transaction, proven by the manifest's fingerprints)
 *   ─► carry over what lives on the database itself, not in the archive (settings, grants, comment)
 *   ─► swap, in one transaction: terminate the target's sessions, ALTER DATABASE &lt;name&gt; RENAME TO &lt;name&gt;_before_&lt;time&gt;,
 *      ALTER DATABASE &lt;name&gt;_restore_&lt;time&gt; RENAME TO &lt;name&gt;
 * </pre>
 * Any failure before the swap commits drops the new database, and the roles the restore created for it
 * ({@code "roles": "create-missing"}: they own nothing else), and leaves the target untouched under its name (the two
 * renames are one transaction: both or neither). The previous database is kept as {@code <name>_before_<time>} until an
 * operator drops it. All statements go through the server's maintenance database ({@link DatabaseNames#maintenance}):
 * a database cannot be renamed by a session connected to it.
 *
 * <p>Replacing in place ({@code pg_restore --clean}) was given up: on PostgreSQL 15 it fails for any database holding a
 * partitioned table with a primary key ({@code cannot drop inherited constraint}), and it locks out the application for
 * the whole restore.
 */
final class ReplaceBySwap {
    private static final Logger LOG = Logger.getLogger(ReplaceBySwap.class);
    /** Times in the names: UTC, to the second, lower case (no quoting needed in psql). */
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);
    private static final int SWAP_ATTEMPTS = 3;

    private final Clock clock;

    ReplaceBySwap(Clock clock) {
        this.clock = clock;
    }

    /**
     * Restores the backup into the (new, empty) database it is given and proves it ({@link DatabaseRestore#into}),
     * telling {@code rolesKept} the roles it created that stay once pg_restore has committed.
     */
    @FunctionalInterface
    interface RestoreInto {
        DatabaseRestore.Restored apply(DbCredentials db, Consumer<List<String>> rolesKept);
    }

    /** The restore, proven, and the swap that put it in place. */
    record Replaced(DatabaseRestore.Restored restored, RestoreResult.Swap swap) {
    }

    /** The names a replace uses, within PostgreSQL's 63 bytes. */
    static final class DatabaseNames {
        static final int MAX_BYTES = 63;

        private DatabaseNames() {
        }

        /** {@code <name>_<what>_<yyyymmddthhmmss>}, the name cut (whole characters) so that the whole fits 63 bytes. */
        static String beside(String name, String what, Instant at) {
            String suffix = "_" + what + "_" + STAMP.format(at).toLowerCase(java.util.Locale.ROOT);
            int room = MAX_BYTES - suffix.getBytes(StandardCharsets.UTF_8).length;
            StringBuilder kept = new StringBuilder();
            int bytes = 0;
            for (int i = 0; i < name.length(); ) {
                int cp = name.codePointAt(i);
                int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                if (bytes + n > room) {
                    break;
                }
                kept.appendCodePoint(cp);
                bytes += n;
                i += Character.charCount(cp);
            }
            return kept + suffix;
        }

        /** The database to connect to for creating, renaming and dropping {@code target}: never {@code target} itself. */
        static String maintenance(String target) {
            return target.equals("postgres") ? "template1" : "postgres";
        }
    }

    /**
     * Replaces {@code target} by the restore of {@code m}.
     *
     * @param restoreInto restores {@code m} into the database it is given (empty, new) and proves it ({@link DatabaseRestore});
     *                    roles it created (create-missing) are dropped again with the new database when a later step fails
     * @param deadline    the invocation's deadline ({@link Deadline#NONE} without one)
     */
    Replaced replace(Manifest m, DbCredentials target, RestoreInto restoreInto, Deadline deadline) {
        Instant start = clock.instant();
        String name = target.database();
        String fresh = DatabaseNames.beside(name, "restore", start);
        String before = DatabaseNames.beside(name, "before", start);
        DbCredentials maintenance = target.withDatabase(DatabaseNames.maintenance(name));
        SwapStatements sql = new SwapStatements(maintenance, name);
        List<String> rolesCreated = new ArrayList<>(); // owning objects only in the new database: they go with it
        Deadline checks = deadline.minus(Deadline.Margin.CHECKS);

        sql.check(fresh, before, checks); // refuses with what is needed; nothing touched
        LOG.infof("replacing %s: restoring backup %s beside it as %s", target.describe(), m.backupId(), fresh);
        sql.createLike(fresh, deadline.minus(Deadline.Margin.WORK));
        DatabaseRestore.Restored restored;
        List<String> carried;
        List<RestoreResult.Session> terminated;
        Instant proven;
        try {
            restored = restoreInto.apply(target.withDatabase(fresh), rolesCreated::addAll);
            // hook: the proof of owners and privileges (roles, issue 11 item 5) belongs to restoreInto's proof; a role
            // refusal there (before pg_restore) drops the new database like any other failure
            proven = clock.instant();
            carried = sql.carryOver(fresh, checks);
            terminated = sql.swap(fresh, before, SWAP_ATTEMPTS, checks);
        } catch (RuntimeException e) {
            throw dropAfter(e, sql, fresh, name, new CreatedRoles(maintenance, rolesCreated), deadline);
        }
        Instant swapped = clock.instant();
        LOG.infof("replaced %s by the restore of backup %s; the previous database is kept as %s (%d sessions terminated)",
                target.describe(), m.backupId(), before, terminated.size());
        return new Replaced(restored, new RestoreResult.Swap(name, fresh, before, start, proven, swapped, terminated, carried,
                "the replaced database is kept as " + before + " until an operator drops it (DROP DATABASE "
                        + com.taskmaster.backup.postgres.SnapshotSession.quoteIdent(before) + "); objects that were not in the"
                        + " backup, and writes made after its snapshot, are only there"));
    }

    /** The roles a restore created (create-missing) that own objects only in the new database, and where to drop them. */
    private record CreatedRoles(DbCredentials server, List<String> names) {
        /** Once the new database is gone: drops them, leaving the server's roles as they were; what was done, for the message. */
        String dropAfterDatabase(boolean databaseDropped, Deadline limit) {
            if (names.isEmpty()) {
                return "";
            }
            if (!databaseDropped) {
                return "; the roles created for it (" + String.join(", ", names) + ") own its objects: drop them after it";
            }
            try {
                ServerRoles.drop(server, names, limit);
                return "; the roles created for it (" + String.join(", ", names) + ") were dropped again";
            } catch (RuntimeException e) {
                return "; the roles created for it (" + String.join(", ", names) + ") could not be dropped (drop them by hand): "
                        + Redactor.redact(e.getMessage());
            }
        }
    }

    /**
     * Drops the new database after {@code e}, then the roles created for it; the exception says the target was left as
     * it was, and whether the drops worked.
     */
    private static RuntimeException dropAfter(RuntimeException e, SwapStatements sql, String fresh, String name,
                                              CreatedRoles roles, Deadline deadline) {
        String kept = "; " + name + " was left untouched under its name";
        boolean dropped = false;
        try {
            sql.drop(fresh, deadline.minus(Deadline.Margin.CLEANUP));
            dropped = true;
            kept += " and the new database " + fresh + " was dropped";
        } catch (RuntimeException dropFailed) {
            e.addSuppressed(dropFailed);
            kept += "; the new database " + fresh + " could not be dropped (" + Redactor.redact(dropFailed.getMessage())
                    + "): drop it by hand";
        }
        kept += roles.dropAfterDatabase(dropped, deadline.minus(Deadline.Margin.CLEANUP));
        if (e instanceof Deadline.Exceeded) {
            return new Deadline.Exceeded(e.getMessage() + kept);
        }
        if (e instanceof InvalidRequestException) { // a refusal stays one
            return new InvalidRequestException(e.getMessage() + kept);
        }
        return new RestoreFailedException(e.getMessage() + kept, e);
    }
}
