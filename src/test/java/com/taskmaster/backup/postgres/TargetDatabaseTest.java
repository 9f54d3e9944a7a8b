package com.taskmaster.backup.postgres;

import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks after pg_restore end within their {@link Deadline}, against a real PostgreSQL: a count that cannot
 * finish (its table locked by another session) is stopped at the limit and reported as "ran out of time", naming the
 * table; with the limit already past nothing is started.
 */
class TargetDatabaseTest {

    @Test
    void aRowCountThatWouldOutlastTheLimitIsStoppedAtItSayingWhy() throws Exception {
        DbCredentials db = PostgresServer.get().sampleDatabase("tlimit", 0.05);
        List<TableFingerprint> tables = SnapshotSession.queryStrings(db, "SELECT n.nspname || '.' || c.relname FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 1", "list")
                .stream().map(q -> new TableFingerprint("public", q.substring("public.".length()),
                        Long.parseLong(PostgresServer.get().psql(db.database(), "SELECT count(*) FROM ONLY " + q).trim()))).toList();
        TableFingerprint locked = tables.get(tables.size() - 1);
        assertEquals(tables, TargetDatabase.fingerprints(db, tables, Deadline.at(Instant.now().plusSeconds(60)).minus(Deadline.Margin.CHECKS)));
        try (Connection other = SnapshotSession.connect(db); Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            s.execute("LOCK TABLE " + SnapshotSession.quoteIdent(locked.schema()) + "." + SnapshotSession.quoteIdent(locked.name())
                    + " IN ACCESS EXCLUSIVE MODE");
            Instant limit = Instant.now().plusSeconds(3);
            Deadline checks = Deadline.at(limit.plus(Deadline.Margin.CHECKS.duration())).minus(Deadline.Margin.CHECKS);
            var e = assertThrows(Deadline.Exceeded.class, () -> TargetDatabase.fingerprints(db, tables, checks));
            Instant stopped = Instant.now();
            assertTrue(stopped.isBefore(limit.plusSeconds(2)), "stopped at " + stopped + ", the limit was " + limit);
            assertTrue(e.getMessage().startsWith("ran out of time: counting the restored rows of " + locked.qualifiedName()
                    + " (" + (tables.size() - 1) + " of " + tables.size() + " tables counted)"), e.getMessage());
            assertTrue(e.getMessage().endsWith("stopped 15 s before the invocation's deadline, to leave time to clean up and report"),
                    e.getMessage());
            other.rollback();
        }
        Deadline past = Deadline.at(Instant.now()).minus(Deadline.Margin.CHECKS);
        var e = assertThrows(Deadline.Exceeded.class, () -> TargetDatabase.missingRoles(db, Set.of("nobody"), past));
        assertTrue(e.getMessage().startsWith("ran out of time: listing the roles on "), e.getMessage());
        assertEquals(Set.of("nobody"), TargetDatabase.missingRoles(db, Set.of("nobody"), Deadline.NONE));
    }
}
