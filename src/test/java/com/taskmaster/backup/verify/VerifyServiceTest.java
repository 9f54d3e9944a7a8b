package com.taskmaster.backup.verify;

import com.github.luben.zstd.ZstdOutputStream;
import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.BackupReader;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.format.Verifications;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ObjectWriter;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Verify's archive checks beyond the stored bytes: GIVEN a backup whose bytes are intact and correctly encrypted
 * but whose content disagrees with its manifest (a dump cut short, different row counts), THEN verify fails it
 * with the reason; and freshness, anomalies and a young backup's pending replica.
 */
class VerifyServiceTest {
    static DbCredentials sample;

    @TempDir
    Path tmp;
    Repository repo;
    Repository replica;
    Envelope key;
    BackupService backups;

    @BeforeAll
    static void sampleDatabase() {
        sample = PostgresServer.get().sampleDatabase("verifysvc", 0.3);
    }

    @BeforeEach
    void repositories() {
        repo = new FileRepository(tmp.resolve("repo"));
        replica = new FileRepository(tmp.resolve("replica"));
        key = Keys.open("file://" + tmp.resolve("backup.key"), () -> null);
        backups = new BackupService(repo, key, PostgresServer.get().tools(), Clock.systemUTC());
    }

    VerifyService service(Clock clock, Optional<Repository> replicaRepo) {
        return new VerifyService(repo, replicaRepo, key, PostgresServer.get().tools(), clock,
                VerifySettings.of("7d", "26h", 0.5, 0.5));
    }

    Manifest backup() throws IOException {
        String id = backups.run(new BackupRequest(null, null, Trigger.manual()), sample, "r", Deadline.NONE).backupId();
        return Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(id))));
    }

    /** Replaces the backup's data object and manifest with these plain archive bytes, correctly compressed and encrypted. */
    Manifest rewrite(Manifest m, byte[] plain, List<TableFingerprint> tables) throws Exception {
        ObjectKey dataKey = ObjectKey.of(Layout.DATA + m.backupId() + ".rewritten.pgdump.zst.esdk");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long[] size = {0};
        try (ObjectWriter w = repo.create(dataKey)) {
            OutputStream counting = new java.io.FilterOutputStream(new DigestOutputStream(w.stream(), sha)) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    size[0] += len;
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    size[0]++;
                }

                @Override
                public void close() throws IOException {
                    flush(); // the writer's stream stays open for commit
                }
            };
            try (OutputStream out = new ZstdOutputStream(key.encrypt(counting, m.encryption().encryptionContext()), 1)) {
                out.write(plain);
            }
            w.commit();
        }
        Manifest changed = new Manifest(m.formatVersion(), m.backupId(), m.database(), m.pgDumpVersion(), m.startedAt(),
                m.finishedAt(), new Manifest.DataObject(dataKey.value(), plain.length, size[0], HexFormat.of().formatHex(sha.digest())),
                m.compression(), m.encryption(), tables, m.label(), m.reason(), m.trigger(), m.requestId());
        Files.write(tmp.resolve("repo").resolve(Layout.manifest(m.backupId()).value()), changed.toJson());
        return changed;
    }

    byte[] plain(Manifest m) throws IOException {
        try (InputStream in = BackupReader.open(repo, m, key)) {
            return in.readAllBytes();
        }
    }

    Verification verify(Manifest m) {
        return service(Clock.systemUTC(), Optional.empty()).check(m, Optional.empty(), "r");
    }

    @Test
    void intactBackupPasses() throws IOException {
        Verification v = verify(backup());
        assertTrue(v.passed(), v.reason());
        assertEquals("not configured", v.replica());
    }

    @Test
    void wideTableWhoseCopyHeaderIsLongerThanAnyLineBufferIsCounted() throws IOException {
        DbCredentials wide = PostgresServer.get().createDatabase("verifywide");
        // 500 columns of 22-character names: pg_restore's "COPY public.wide (...) FROM stdin;" line is over 11 KiB
        String columns = IntStream.range(0, 500).mapToObj(i -> String.format("measurement_value_%04d", i))
                .collect(Collectors.joining(", "));
        PostgresServer.get().psql(wide.database(), "CREATE TABLE wide (" + columns.replace(",", " int,") + " int); "
                + "INSERT INTO wide SELECT " + IntStream.range(0, 500).mapToObj(i -> "g").collect(Collectors.joining(", "))
                + " FROM generate_series(1, 37) g");
        String id = backups.run(new BackupRequest(null, null, Trigger.manual()), wide, "r", Deadline.NONE).backupId();
        Manifest m = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(id))));
        assertEquals(List.of(new TableFingerprint("public", "wide", 37)), m.tables());

        Verification v = verify(m);
        assertTrue(v.passed(), v.reason());
        assertEquals(1, v.tables());
    }

    /** Issue 9, item 8: pg_restore prints a newline in a name as a space; such a table failed every verify. */
    @Test
    void tablesWithANewlineOrCarriageReturnInTheirNamePass() throws IOException {
        DbCredentials odd = PostgresServer.get().createDatabase("verifynewline");
        PostgresServer.get().psql(odd.database(), "CREATE TABLE \"we\nird\" (x int); INSERT INTO \"we\nird\" VALUES (1), (2);"
                + " CREATE TABLE \"car\rriage\" (x int); INSERT INTO \"car\rriage\" VALUES (3);"
                + " CREATE TABLE \"plain one\" (x int);");
        String id = backups.run(new BackupRequest(null, null, Trigger.manual()), odd, "r", Deadline.NONE).backupId();
        Manifest m = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(id))));
        assertTrue(m.tables().contains(new TableFingerprint("public", "we\nird", 2)), m.tables().toString());

        Verification v = verify(m);
        assertTrue(v.passed(), v.reason());
        assertEquals(3, v.tables());
    }

    @Test
    void dumpCutShortButProperlyEncryptedIsRejectedByPgRestore() throws Exception {
        Manifest m = backup();
        byte[] plain = plain(m);
        Manifest cut = rewrite(m, Arrays.copyOf(plain, plain.length * 2 / 3), m.tables());
        Verification v = verify(cut);
        assertEquals(Verification.Outcome.failed, v.outcome());
        assertTrue(v.reason().startsWith("not a valid pg_dump archive: pg_restore exited with code 1"), v.reason());
    }

    @Test
    void notAnArchiveAtAllIsRejected() throws Exception {
        Manifest m = backup();
        Verification v = verify(rewrite(m, "this is not a dump\n".getBytes(), m.tables()));
        assertTrue(v.reason().contains("not a valid pg_dump archive"), v.reason());
    }

    @Test
    void tablesOrRowCountsDifferingFromTheManifestAreReported() throws Exception {
        Manifest m = backup();
        List<TableFingerprint> tables = new ArrayList<>(m.tables());
        TableFingerprint first = tables.remove(0);
        tables.add(0, new TableFingerprint(first.schema(), first.name(), first.rows() + 1));
        tables.add(new TableFingerprint("public", "ghost", 5));
        Verification v = verify(rewrite(m, plain(m), tables));
        assertTrue(v.reason().contains("tables in the manifest without data in the archive: [public.ghost]"), v.reason());
        assertTrue(v.reason().contains("table " + first.qualifiedName() + " has " + first.rows() + " rows in the archive, "
                + (first.rows() + 1) + " in the manifest"), v.reason());
    }

    @Test
    void staleRepositoryAndAYoungBackupsMissingReplica() throws IOException {
        Manifest m = backup();
        Clock now = Clock.systemUTC();
        VerifyResult fresh = service(now, Optional.of(replica)).run(new VerifyRequest(Optional.empty()), "r", Deadline.NONE);
        assertEquals("pending", fresh.checked().get(0).replica()); // S3 replication may not have caught up yet
        assertTrue(fresh.ok(), fresh.failures().toString());

        Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(30)), ZoneOffset.UTC);
        VerifyResult stale = service(later, Optional.of(replica)).run(new VerifyRequest(Optional.empty()), "r", Deadline.NONE);
        assertEquals("missing", stale.checked().get(0).replica());
        assertTrue(stale.failures().stream().anyMatch(f -> f.contains("more than the RPO of 26 h")), stale.failures().toString());
        assertTrue(stale.failures().stream().anyMatch(f -> f.contains("backup " + m.backupId() + " failed verification: replica missing")),
                stale.failures().toString());
        assertEquals(m.backupId().value(), stale.failedBackupIds());
    }

    /** What S3 replication does: every object the manifest commits, and the manifest, copied as they are. */
    void replicate(Manifest m) throws IOException {
        List<String> keys = new ArrayList<>(m.committedObjects().stream().map(c -> c.object().key()).toList());
        keys.add(Layout.manifest(m.backupId()).value());
        for (String k : keys) {
            Path to = tmp.resolve("replica").resolve(k);
            Files.createDirectories(to.getParent());
            Files.copy(tmp.resolve("repo").resolve(k), to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Verifies with the replica, two hours after the backup (past the replication grace). */
    Verification verifyWithReplica(Manifest m) {
        return service(Clock.offset(Clock.systemUTC(), Duration.ofHours(2)), Optional.of(replica)).check(m, Optional.empty(), "r");
    }

    Path replicaRoles(Manifest m) {
        return tmp.resolve("replica").resolve(m.roles().object().key());
    }

    @Test
    void aReplicaHoldingEveryCommittedObjectIsIdenticalAndAnOlderManifestWithoutRolesToo() throws Exception {
        Manifest m = backup();
        assertEquals(List.of(Manifest.Committed.DATA, Manifest.Committed.ROLES),
                m.committedObjects().stream().map(Manifest.Committed::kind).toList());
        replicate(m);
        Verification v = verifyWithReplica(m);
        assertTrue(v.passed(), v.reason());
        assertEquals("identical", v.replica());

        Manifest second = backup();
        Manifest older = rewrite(second, plain(second), second.tables()); // as before roles were captured: no roles section
        assertEquals(null, older.roles());
        replicate(older);
        Verification old = verifyWithReplica(older);
        assertTrue(old.passed(), old.reason());
        assertEquals("identical", old.replica());
    }

    /** A restore from the replica (the drill, scenario 3) needs the roles too: a replica without them is missing. */
    @Test
    void aReplicaMissingOnlyTheRolesObjectFails() throws IOException {
        Manifest m = backup();
        replicate(m);
        Files.delete(replicaRoles(m));

        Verification v = verifyWithReplica(m);

        assertEquals(Verification.Outcome.failed, v.outcome(), v.reason());
        assertEquals("missing", v.replica());
        assertEquals("replica missing: roles object file://" + replicaRoles(m) + " does not exist", v.reason());
    }

    @Test
    void aReplicaWhoseRolesObjectDiffersInContentOrSizeFails() throws IOException {
        Manifest m = backup();
        replicate(m);
        byte[] bytes = Files.readAllBytes(replicaRoles(m));
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(replicaRoles(m), bytes);

        Verification flipped = verifyWithReplica(m);

        assertEquals(Verification.Outcome.failed, flipped.outcome(), flipped.reason());
        assertEquals("different", flipped.replica());
        assertTrue(flipped.reason().startsWith("replica differs: file://" + replicaRoles(m) + " has SHA-256 "), flipped.reason());

        Files.write(replicaRoles(m), Arrays.copyOf(bytes, bytes.length - 10));
        Verification cut = verifyWithReplica(m);
        assertEquals("different", cut.replica());
        assertEquals("replica differs: file://" + replicaRoles(m) + " has " + (bytes.length - 10) + " bytes, the manifest says "
                + m.roles().object().storedBytes(), cut.reason());
    }

    @Test
    void aManifestFromTheFutureIsFlaggedAndDoesNotMakeTheRepositoryFresh() throws IOException {
        Manifest real = backup();
        BackupId future = BackupId.parse("20301201T000000Z-daily");
        Manifest forged = new Manifest(real.formatVersion(), future, real.database(), real.pgDumpVersion(), future.time(),
                future.time().plusSeconds(60), real.data(), real.compression(), real.encryption(), real.tables(), null, null,
                Trigger.manual(), "r");
        repo.putIfAbsent(Layout.manifest(future), forged.toJson());
        Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(30)), ZoneOffset.UTC);
        VerifyResult r = service(later, Optional.empty()).run(new VerifyRequest(Optional.empty()), "r", Deadline.NONE);
        assertTrue(!r.freshness().ok() && r.freshness().newestBackupId().equals(real.backupId().value()), r.freshness().toString());
        assertTrue(r.failures().stream().anyMatch(f -> f.contains("backup " + future + " is dated 2030-12-01T00:00:00Z")
                && f.contains("after now")), r.failures().toString());
        assertTrue(r.failures().stream().anyMatch(f -> f.contains("more than the RPO of 26 h")), r.failures().toString());
    }

    @Test
    void deadlineLeavesTheRestForTheNextRun() throws IOException {
        backup();
        VerifyResult r = service(Clock.systemUTC(), Optional.empty()).run(new VerifyRequest(Optional.empty()), "r",
                Deadline.at(Instant.now().plusSeconds(10)));
        assertEquals(Verification.Outcome.skipped, r.checked().get(0).outcome());
        assertTrue(r.ok());
        assertEquals(0, repo.list(Layout.VERIFICATIONS).size());
        assertEquals(1, r.backlog().count());
        assertEquals(1.0, r.metrics(Instant.now()).get("VerifyBacklog").value());
    }

    /** Issue 9, item 3: a backup left unverified past BACKUP_VERIFY_MAX_UNVERIFIED fails the run (and so alerts). */
    @Test
    void aBacklogOlderThanTheLimitFailsTheRun() throws IOException {
        Manifest m = backup();
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(3));
        VerifyResult r = new VerifyService(repo, Optional.empty(), key, PostgresServer.get().tools(), later,
                VerifySettings.of("7d", "26h", 0.5, 0.5), Duration.ofDays(2))
                .run(new VerifyRequest(Optional.empty()), "r", Deadline.at(Instant.now().plusSeconds(10)));
        assertEquals(m.backupId().value(), r.backlog().oldestBackupId());
        assertEquals(m.startedAt(), r.backlog().unverifiedSince());
        assertTrue(r.failures().stream().anyMatch(f -> f.contains("BACKUP_VERIFY_MAX_UNVERIFIED")), r.failures().toString());
        assertTrue(r.metrics(later.instant()).get("VerifyOldestUnverifiedAgeSeconds").value() > Duration.ofDays(3).toSeconds() - 60);
    }

    /**
     * Issue 9, item 9: a backup whose catalog-index copy differs from its manifest (a forged copy, padded to the listed
     * size with its own digest, pointing at another backup's data) is not verified by that copy: the run fails naming
     * it, the other backups are checked, and no verdict is recorded for it.
     */
    @Test
    void aCatalogIndexCopyThatDiffersFromItsManifestFailsTheRun() throws IOException {
        Manifest a = backup();
        Manifest b = backup();
        com.taskmaster.backup.testing.Backups.forgeIndexCopy(repo, a.backupId(), new Manifest(a.formatVersion(), a.backupId(),
                a.database(), a.pgDumpVersion(), a.startedAt(), a.finishedAt(), b.data(), a.compression(), b.encryption(), b.tables(),
                null, null, a.trigger(), null), Instant.now());

        VerifyResult r = service(Clock.systemUTC(), Optional.empty()).run(new VerifyRequest(Optional.empty()), "r", Deadline.NONE);
        assertFalse(r.ok());
        assertTrue(r.failures().stream().anyMatch(f -> f.startsWith("backup " + a.backupId() + ": manifest ")
                && f.contains("differs from its copy in the catalog index")), r.failures().toString());
        assertEquals(Verification.Outcome.skipped, r.checked().stream().filter(c -> c.backupId().equals(a.backupId().value()))
                .findFirst().orElseThrow().outcome());
        assertEquals(Verification.Outcome.passed, r.checked().stream().filter(c -> c.backupId().equals(b.backupId().value()))
                .findFirst().orElseThrow().outcome());
        assertTrue(repo.list(Layout.verificationsOf(a.backupId())).isEmpty(), "no verdict recorded for the forged copy");
    }
}
