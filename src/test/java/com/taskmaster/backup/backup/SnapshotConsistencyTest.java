package com.taskmaster.backup.backup;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.SnapshotSession;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ObjectExistsException;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadlines;
import com.taskmaster.backup.testing.DelegatingRepository;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.verify.VerifyRequest;
import com.taskmaster.backup.verify.VerifyResult;
import com.taskmaster.backup.verify.VerifyService;
import com.taskmaster.backup.verify.VerifySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifest describes exactly what its dump holds, and when: migrations running during a backup, table
 * inheritance, a table locked past the deadline, a retried manifest write, and the snapshot's time.
 */
class SnapshotConsistencyTest {
    static final PostgresServer PG = PostgresServer.get();

    @TempDir
    Path tmp;

    private Envelope localKey() {
        return Keys.open("file://" + tmp.resolve("backup.key"), () -> null);
    }

    private static BackupRequest manual() {
        return new BackupRequest(null, null, Trigger.manual());
    }

    private static boolean lockWaiting(DbCredentials db) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (!PG.psql(db.database(), "SELECT count(*) FROM pg_locks WHERE NOT granted").trim().equals("0")) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /**
     * A table-rewriting migration (not MVCC-safe) arriving during a backup waits for the backup's snapshot session
     * instead of committing under it: the snapshot's count is the table's rows, not the empty rewritten table.
     */
    @Test
    void aMigrationDuringTheBackupWaitsForItAndTheCountsStayTrue() throws Exception {
        DbCredentials db = PG.createDatabase("migration");
        PG.psql(db.database(), "CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 20000)");
        CompletableFuture<Void> migration;
        try (SnapshotSession snapshot = SnapshotSession.open(db)) {
            migration = CompletableFuture.runAsync(() -> {
                try (Connection c = SnapshotSession.connect(db); Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE t ALTER COLUMN x TYPE bigint");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(lockWaiting(db), "the migration waits for the backup's lock");
            List<TableFingerprint> counts = CompletableFuture.supplyAsync(snapshot::fingerprintTables).get(30, TimeUnit.SECONDS);
            assertEquals(List.of(new TableFingerprint("public", "t", 20000)), counts);
            assertFalse(migration.isDone(), "the migration is still waiting");
        }
        migration.get(30, TimeUnit.SECONDS); // and runs once the backup is over
        assertEquals("bigint", PG.psql(db.database(),
                "SELECT data_type FROM information_schema.columns WHERE table_name = 't'").trim());
    }

    /** pg_dump's COPY of a parent holds its own rows only: the manifest counts the same, and verify passes. */
    @Test
    void inheritedTablesCountTheirOwnRowsAndVerify() throws Exception {
        DbCredentials db = PG.createDatabase("inheritance");
        PG.psql(db.database(), "CREATE TABLE parent (a int); CREATE TABLE child (b int) INHERITS (parent);"
                + "INSERT INTO parent SELECT generate_series(1, 10); INSERT INTO child SELECT i, i FROM generate_series(1, 5) i");
        Repository repo = new FileRepository(tmp.resolve("repo"));
        Envelope key = localKey();
        BackupResult r = new BackupService(repo, key, PG.tools(), Clock.systemUTC()).run(manual(), db, "r", null);
        Manifest m = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(r.backupId()))));
        assertEquals(List.of(new TableFingerprint("public", "child", 5), new TableFingerprint("public", "parent", 10)), m.tables());
        VerifyResult v = new VerifyService(repo, Optional.empty(), key, PG.tools(), Clock.systemUTC(),
                VerifySettings.of("7d", "26h", 0.5, 0.5)).run(VerifyRequest.fromEvent(Map.of("backupId", r.backupId())), "r", null);
        assertTrue(v.ok(), v.failures().toString());
    }

    /** A table another session keeps locked fails the backup before the deadline, naming the table; nothing is left. */
    @Test
    void aTableLockedPastTheDeadlineFailsTheBackupInTime() throws Exception {
        DbCredentials db = PG.createDatabase("locked");
        PG.psql(db.database(), "CREATE TABLE busy (x int)");
        Repository repo = new FileRepository(tmp.resolve("repo"));
        try (Connection holder = SnapshotSession.connect(db); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE");
            Instant deadline = Instant.now().plus(Deadlines.MARGIN).plusSeconds(3);
            long t0 = System.nanoTime();
            BackupFailedException e = assertThrows(BackupFailedException.class,
                    () -> new BackupService(repo, localKey(), PG.tools(), Clock.systemUTC()).run(manual(), db, "r", deadline));
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 15, "failed in time");
            assertTrue(e.getMessage().contains("table public.busy stayed locked by another session"), e.getMessage());
            assertTrue(e.backupId().value().startsWith(e.getMessage().substring("backup ".length(), "backup ".length() + 16)));
            holder.rollback();
        }
        assertTrue(repo.list("").isEmpty(), "nothing written: " + repo.list(""));
    }

    /** The manifest write succeeded but its response was lost; the SDK's retry then finds it: the backup stands. */
    @Test
    void aManifestWriteRetriedAfterALostResponseIsStillTheBackup() {
        DbCredentials db = PG.createDatabase("lostresponse");
        PG.psql(db.database(), "CREATE TABLE t (x int); INSERT INTO t VALUES (1)");
        Repository inner = new FileRepository(tmp.resolve("repo"));
        Repository lostResponse = new DelegatingRepository(inner) {
            @Override
            public void putIfAbsent(ObjectKey key, byte[] content) {
                inner.putIfAbsent(key, content);
                throw new ObjectExistsException("412 Precondition Failed: " + key + " exists");
            }
        };
        BackupResult r = new BackupService(lostResponse, localKey(), PG.tools(), Clock.systemUTC()).run(manual(), db, "r", null);
        assertFalse(r.duplicate());
        assertEquals(1, new com.taskmaster.backup.catalog.Catalog(inner).list().backups().size());
    }

    /**
     * The backup's time is the snapshot's, by the server's clock: nothing it holds was committed after it, even when
     * the backup took a while to get to its snapshot (here: a row committed while pg_dump's version is checked).
     */
    @Test
    void theBackupsTimeIsItsSnapshotsTime() throws Exception {
        DbCredentials db = PG.createDatabase("snapshottime");
        PG.psql(db.database(), "CREATE TABLE t (at timestamptz DEFAULT clock_timestamp())");
        StringBuilder env = new StringBuilder();
        db.libpqEnvironment().forEach((k, v) -> env.append(k).append("='").append(v.replace("'", "'\\''")).append("' "));
        var slow = com.taskmaster.backup.testing.FakePgDump.in(tmp.resolve("slowbin"), PG.tools(), """
                if [ "$1" = --version ]; then
                  sleep 1
                  %s"$REAL/psql" -X -q -c 'INSERT INTO t DEFAULT VALUES'
                  sleep 1
                  exec "$REAL/pg_dump" --version
                fi
                exec "$REAL/pg_dump" "$@"
                """.formatted(env));
        Repository repo = new FileRepository(tmp.resolve("repo"));
        Instant before = Instant.now();
        BackupResult r = new BackupService(repo, localKey(), slow, Clock.systemUTC()).run(manual(), db, "r", null);
        Manifest m = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(r.backupId()))));
        assertEquals(List.of(new TableFingerprint("public", "t", 1)), m.tables(), "the row is in the backup");
        Instant row = Instant.parse(PG.psql(db.database(),
                "SELECT to_char(max(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM t").trim());
        assertTrue(row.isAfter(before), "the row was committed after the backup began");
        assertFalse(m.startedAt().isBefore(row), "backup time " + m.startedAt() + " is before a row it holds (" + row + ")");
        assertFalse(m.startedAt().isAfter(m.finishedAt().plusSeconds(5)), m.startedAt() + " .. " + m.finishedAt());
    }
}
