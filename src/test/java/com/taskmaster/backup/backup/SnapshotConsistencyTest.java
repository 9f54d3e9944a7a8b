package com.taskmaster.backup.backup;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.SnapshotSession;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ForwardingRepository;
import com.taskmaster.backup.repository.ObjectExistsException;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadline;
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

    /** {@code PGHOST='...' PGPORT='...' ... }: a shell command prefix connecting psql in a pg_dump wrapper to {@code db}. */
    private static String libpqPrefix(DbCredentials db) {
        StringBuilder env = new StringBuilder();
        db.libpqEnvironment().forEach((k, v) -> env.append(k).append("='").append(v.replace("'", "'\\''")).append("' "));
        return env.toString();
    }

    /**
     * A migration starting while the backup gets ready (here: run by the pg_dump wrapper just before the real pg_dump
     * starts) neither stalls the backup nor makes its counts disagree with its dump: nothing of the backup but pg_dump
     * holds a table lock, so no wait cycle.
     */
    @Test
    void aMigrationStartingJustBeforePgDumpDoesNotStallTheBackup() throws Exception {
        DbCredentials db = PG.createDatabase("beforedump");
        PG.psql(db.database(), "CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 5000)");
        var racing = com.taskmaster.backup.testing.FakePgDump.in(tmp.resolve("racebin"), PG.tools(), """
                [ "$1" = --version ] && exec "$REAL/pg_dump" --version
                %s"$REAL/psql" -X -q -c 'ALTER TABLE t ALTER COLUMN x TYPE bigint' &
                sleep 1
                exec "$REAL/pg_dump" "$@"
                """.formatted(libpqPrefix(db)));
        Repository repo = new FileRepository(tmp.resolve("repo"));
        Envelope key = localKey();
        Instant deadline = Instant.now().plus(Deadline.Margin.WORK.duration()).plusSeconds(20);
        BackupResult r = new BackupService(repo, key, racing, Clock.systemUTC()).run(manual(), db, "r", Deadline.at(deadline));
        VerifyResult v = new VerifyService(repo, Optional.empty(), key, PG.tools(), Clock.systemUTC(),
                VerifySettings.of("7d", "26h", 0.5, 0.5)).run(VerifyRequest.fromEvent(Map.of("backupId", r.backupId())), "r", Deadline.NONE);
        assertTrue(v.ok(), "the manifest's counts match the dump: " + v.failures());
        assertEquals("bigint", PG.psql(db.database(),
                "SELECT data_type FROM information_schema.columns WHERE table_name = 't'").trim());
    }

    /**
     * A table-rewriting migration (ALTER TABLE ... TYPE: ACCESS EXCLUSIVE) queued behind pg_dump's ACCESS SHARE lock
     * while pg_dump streams: the backup takes nothing but pg_dump's own locks (its counts and digests come from the
     * stream), so it completes with the snapshot's rows, and the migration runs once pg_dump is done. (A separate
     * count(*) session used to queue behind the migration and fail the backup.)
     */
    @Test
    void aMigrationQueuedBehindPgDumpDoesNotFailTheBackup() throws Exception {
        DbCredentials db = PG.createDatabase("queued");
        PG.psql(db.database(), "CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 20000)");
        // pg_dump has locked every table when it writes its first byte: that byte is held back until a migration has
        // queued behind pg_dump's lock, then the rest follows 2 s later (a slow pipe).
        var queueing = com.taskmaster.backup.testing.FakePgDump.in(tmp.resolve("queuebin"), PG.tools(), """
                [ "$1" = --version ] && exec "$REAL/pg_dump" --version
                "$REAL/pg_dump" "$@" | {
                  first=$(dd bs=1 count=1 2>/dev/null)
                  %s"$REAL/psql" -X -q -c 'ALTER TABLE t ALTER COLUMN x TYPE bigint' >/dev/null 2>&1 &
                  sleep 1
                  printf '%%s' "$first"
                  sleep 2
                  cat
                }
                """.formatted(libpqPrefix(db)));
        Repository repo = new FileRepository(tmp.resolve("repo"));
        Envelope key = localKey();
        BackupResult r = new BackupService(repo, key, queueing, Clock.systemUTC()).run(manual(), db, "r", Deadline.NONE);
        Manifest m = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(r.backupId()))));
        assertEquals(List.of(new TableFingerprint("public", "t", 20000)), m.tables());
        VerifyResult v = new VerifyService(repo, Optional.empty(), key, PG.tools(), Clock.systemUTC(),
                VerifySettings.of("7d", "26h", 0.5, 0.5)).run(VerifyRequest.fromEvent(Map.of("backupId", r.backupId())), "r", Deadline.NONE);
        assertTrue(v.ok(), v.failures().toString());
        for (int i = 0; i < 100 && !PG.psql(db.database(), "SELECT data_type FROM information_schema.columns WHERE table_name = 't'")
                .trim().equals("bigint"); i++) {
            Thread.sleep(100);
        }
        assertEquals("bigint", PG.psql(db.database(),
                "SELECT data_type FROM information_schema.columns WHERE table_name = 't'").trim(), "the migration ran after the dump");
    }

    /** pg_dump's COPY of a parent holds its own rows only: the manifest counts the same, and verify passes. */
    @Test
    void inheritedTablesCountTheirOwnRowsAndVerify() throws Exception {
        DbCredentials db = PG.createDatabase("inheritance");
        PG.psql(db.database(), "CREATE TABLE parent (a int); CREATE TABLE child (b int) INHERITS (parent);"
                + "INSERT INTO parent SELECT generate_series(1, 10); INSERT INTO child SELECT i, i FROM generate_series(1, 5) i");
        Repository repo = new FileRepository(tmp.resolve("repo"));
        Envelope key = localKey();
        BackupResult r = new BackupService(repo, key, PG.tools(), Clock.systemUTC()).run(manual(), db, "r", Deadline.NONE);
        Manifest m = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(r.backupId()))));
        assertEquals(List.of(new TableFingerprint("public", "child", 5), new TableFingerprint("public", "parent", 10)), m.tables());
        VerifyResult v = new VerifyService(repo, Optional.empty(), key, PG.tools(), Clock.systemUTC(),
                VerifySettings.of("7d", "26h", 0.5, 0.5)).run(VerifyRequest.fromEvent(Map.of("backupId", r.backupId())), "r", Deadline.NONE);
        assertTrue(v.ok(), v.failures().toString());
    }

    /** A table another session keeps locked: pg_dump waits, and is stopped before the deadline; nothing is left. */
    @Test
    void aTableLockedPastTheDeadlineFailsTheBackupInTime() throws Exception {
        DbCredentials db = PG.createDatabase("locked");
        PG.psql(db.database(), "CREATE TABLE busy (x int)");
        Repository repo = new FileRepository(tmp.resolve("repo"));
        try (Connection holder = SnapshotSession.connect(db); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE");
            Instant deadline = Instant.now().plus(Deadline.Margin.WORK.duration()).plusSeconds(3);
            long t0 = System.nanoTime();
            BackupFailedException e = assertThrows(BackupFailedException.class,
                    () -> new BackupService(repo, localKey(), PG.tools(), Clock.systemUTC()).run(manual(), db, "r", Deadline.at(deadline)));
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 15, "failed in time");
            assertTrue(e.getMessage().contains("stopped 30 s before the invocation's deadline"), e.getMessage());
            assertTrue(e.getMessage().startsWith("backup " + e.backupId() + " "), e.getMessage());
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
        Repository lostResponse = new ForwardingRepository(inner) {
            @Override
            public void putIfAbsent(ObjectKey key, byte[] content) {
                inner.putIfAbsent(key, content);
                throw new ObjectExistsException("412 Precondition Failed: " + key + " exists");
            }
        };
        BackupResult r = new BackupService(lostResponse, localKey(), PG.tools(), Clock.systemUTC()).run(manual(), db, "r", Deadline.NONE);
        assertFalse(r.duplicate());
        assertEquals(1, new com.taskmaster.backup.format.Catalog(inner).list().backups().size());
    }

    /**
     * The backup's time is the snapshot's, by the server's clock: nothing it holds was committed after it, even when
     * the backup took a while to get to its snapshot (here: a row committed while pg_dump's version is checked).
     */
    @Test
    void theBackupsTimeIsItsSnapshotsTime() throws Exception {
        DbCredentials db = PG.createDatabase("snapshottime");
        PG.psql(db.database(), "CREATE TABLE t (at timestamptz DEFAULT clock_timestamp())");
        var slow = com.taskmaster.backup.testing.FakePgDump.in(tmp.resolve("slowbin"), PG.tools(), """
                if [ "$1" = --version ]; then
                  sleep 1
                  %s"$REAL/psql" -X -q -c 'INSERT INTO t DEFAULT VALUES'
                  sleep 1
                  exec "$REAL/pg_dump" --version
                fi
                exec "$REAL/pg_dump" "$@"
                """.formatted(libpqPrefix(db)));
        Repository repo = new FileRepository(tmp.resolve("repo"));
        Instant before = Instant.now();
        BackupResult r = new BackupService(repo, localKey(), slow, Clock.systemUTC()).run(manual(), db, "r", Deadline.NONE);
        Manifest m = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(r.backupId()))));
        assertEquals(List.of(new TableFingerprint("public", "t", 1)), m.tables(), "the row is in the backup");
        Instant row = Instant.parse(PG.psql(db.database(),
                "SELECT to_char(max(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM t").trim());
        assertTrue(row.isAfter(before), "the row was committed after the backup began");
        assertFalse(m.startedAt().isBefore(row), "backup time " + m.startedAt() + " is before a row it holds (" + row + ")");
        assertFalse(m.startedAt().isAfter(m.finishedAt().plusSeconds(5)), m.startedAt() + " .. " + m.finishedAt());
    }
}
