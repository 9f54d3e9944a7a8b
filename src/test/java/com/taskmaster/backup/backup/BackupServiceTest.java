package com.taskmaster.backup.backup;

import com.taskmaster.backup.crypto.CryptoException;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.pgarchive.DatabaseFingerprinter;
import com.taskmaster.backup.pgarchive.FingerprintComparison;
import com.taskmaster.backup.pgarchive.FingerprintKey;
import com.taskmaster.backup.pgarchive.Fingerprints;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.MotoServer;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.Restores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backup pipeline end to end against a real PostgreSQL, stock pg_dump/pg_restore, and moto for S3/KMS. */
class BackupServiceTest {
    static DbCredentials sample;
    static PgTools tools;

    @TempDir
    Path tmp;

    @BeforeAll
    static void sampleDatabase() {
        sample = PostgresServer.get().sampleDatabase("sample", 1);
        tools = PostgresServer.get().tools();
    }

    private Envelope localKey() {
        return Keys.open("file://" + tmp.resolve("keys/backup.key"), () -> {
            throw new AssertionError("no KMS for local keys");
        });
    }

    private static Manifest manifest(Repository repo, BackupResult r) throws Exception {
        return Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(r.backupId()))));
    }

    /** GIVEN a backup WHEN it is decrypted, decompressed and restored with stock pg_restore THEN every table matches the manifest. */
    private void assertRestoresExactly(Repository repo, Envelope key, BackupResult result) throws Exception {
        Manifest m = manifest(repo, result);
        Path archive = Restores.decryptToFile(repo, m, key, tmp);
        assertEquals(m.data().plainBytes(), Files.size(archive));
        String toc = Restores.list(archive);
        for (TableFingerprint t : m.tables()) {
            assertTrue(toc.contains("TABLE DATA " + t.schema() + " " + t.name() + " "), "archive lists " + t.qualifiedName());
        }
        DbCredentials restored = Restores.pgRestore(archive);
        assertEquals(m.tables(), Restores.fingerprints(restored, m.tables()));
        // the digests taken from the stream are those of the restored database, under the key the manifest wraps
        FingerprintKey fk = m.fingerprints().unwrapKey(key, m);
        try (Connection c = com.taskmaster.backup.postgres.SnapshotSession.connect(restored)) {
            var recomputed = DatabaseFingerprinter.fingerprint(c, m.fingerprints().digests(), fk, Instant.now().plusSeconds(120));
            FingerprintComparison cmp = FingerprintComparison.compare(m.fingerprints().digests(), recomputed);
            assertTrue(cmp.equal(), cmp.differences().toString());
        }
        assertEquals(m.tables().size(), m.fingerprints().tables().size());
        m.fingerprints().tables().forEach(t -> assertTrue(m.tables().contains(new TableFingerprint(t.schema(), t.name(), t.rows())), t.toString()));
    }

    @Test
    void backupToFileRepositoryWithLocalKeyRestoresExactly() throws Exception {
        Repository repo = new FileRepository(tmp.resolve("repo"));
        Envelope key = localKey();
        BackupResult r = new BackupService(repo, key, tools, Clock.systemUTC())
                .run(new BackupRequest("pre-migration", "testing", Trigger.manual()), sample, "req-1", Deadline.NONE);

        Manifest m = manifest(repo, r);
        assertEquals(11, r.tableCount());
        assertEquals(m.tables().size(), r.tableCount());
        assertTrue(m.tables().stream().anyMatch(t -> t.qualifiedName().equals("taskmaster.tasks") && t.rows() == 2000), m.tables().toString());
        assertEquals("pre-migration", m.label());
        assertEquals(Map.of("purpose", "taskmaster-backup", "database", sample.database(), "backupId", r.backupId(),
                "systemIdentifier", m.database().systemIdentifier()), m.encryption().encryptionContext());
        assertEquals("ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY", m.encryption().algorithm());
        assertEquals(r.storedBytes(), repo.stat(ObjectKey.of(m.data().key())).orElseThrow().size());
        assertTrue(r.storedBytes() < r.plainBytes() / 2, "compressed: " + r.storedBytes() + " of " + r.plainBytes());
        assertTrue(m.pgDumpVersion().startsWith("15"), m.pgDumpVersion());
        String json = new String(m.toJson(), StandardCharsets.UTF_8);
        assertFalse(json.contains(sample.password()), "password in manifest");
        assertEquals(Fingerprints.ALGORITHM, m.fingerprints().algorithm());
        assertEquals("UTC", m.fingerprints().textForm().session().timeZone());
        assertEquals(m, Manifest.fromJson(m.toJson()), "the fingerprints survive the manifest's JSON");
        // the wrapped key is bound to its backup: under another backup's id it does not unwrap
        Manifest other = new Manifest(m.formatVersion(), BackupId.parse("20260101T000000Z-manual-other1"), m.database(),
                m.pgDumpVersion(), m.startedAt(), m.finishedAt(), m.data(), m.compression(), m.encryption(), m.tables(),
                m.label(), m.reason(), m.trigger(), m.requestId(), m.fingerprints());
        var e = assertThrows(CryptoException.class, () -> other.fingerprints().unwrapKey(key, other));
        assertTrue(e.getMessage().startsWith("cannot unwrap the fingerprint key of backup 20260101T000000Z-manual-other1: "),
                e.getMessage());
        assertRestoresExactly(repo, key, r);
    }

    @Test
    void backupToS3WithKmsRestoresExactly() throws Exception {
        String bucket = AwsFixtures.bucket("backup");
        Repository repo = new S3Repository(MotoServer.get().s3(), bucket, "backups", 0);
        String keyArn = AwsFixtures.kmsKey();
        Envelope key = Keys.openKms(keyArn, MotoServer.get().kms());
        BackupResult r = new BackupService(repo, key, tools, Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), sample, "req-2", Deadline.NONE);

        Manifest m = manifest(repo, r);
        assertEquals(keyArn, m.encryption().keyId());
        assertEquals("aws-kms", m.encryption().keyProvider());
        assertTrue(r.location().startsWith("s3://" + bucket + "/backups/data/" + r.backupId() + "."), r.location());
        assertEquals(0, MotoServer.get().s3().listMultipartUploads(b -> b.bucket(bucket)).uploads().size());
        assertRestoresExactly(repo, key, r);
    }

    @Test
    void manifestCountsAndDumpComeFromTheSameSnapshotWhileWritesContinue() throws Exception {
        DbCredentials db = PostgresServer.get().sampleDatabase("busy", 1);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong inserted = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Exception> writerFailure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection c = com.taskmaster.backup.postgres.SnapshotSession.connect(db); Statement s = c.createStatement()) {
                while (!stop.get()) {
                    s.execute("INSERT INTO taskmaster.comments (task_id, author_id, body) "
                            + "SELECT id, reporter_id, 'concurrent' FROM taskmaster.tasks LIMIT 50");
                    inserted.addAndGet(50);
                }
            } catch (Exception e) {
                if (!stop.get()) {
                    writerFailure.set(e);
                }
            }
        });
        writer.start();
        try {
            long until = System.currentTimeMillis() + 30_000;
            while (inserted.get() < 500 && writer.isAlive() && System.currentTimeMillis() < until) {
                Thread.sleep(10);
            }
            assertTrue(writer.isAlive(), "writer stopped: " + writerFailure.get());
            Repository repo = new FileRepository(tmp.resolve("repo"));
            Envelope key = localKey();
            BackupResult r = new BackupService(repo, key, tools, Clock.systemUTC())
                    .run(new BackupRequest(null, null, Trigger.manual()), db, "req-3", Deadline.NONE);
            stop.set(true);
            writer.join();
            assertTrue(inserted.get() > 500, "rows inserted during the test: " + inserted.get());
            assertEquals(null, writerFailure.get());
            assertRestoresExactly(repo, key, r);
        } finally {
            stop.set(true);
            writer.join();
        }
    }

    @Test
    void sameScheduledEventTwiceMakesOneBackup() throws Exception {
        Repository repo = new FileRepository(tmp.resolve("repo"));
        BackupService service = new BackupService(repo, localKey(), tools, Clock.systemUTC());
        BackupRequest scheduled = BackupRequest.fromEvent(Map.of("schedule", "daily", "scheduledTime", "2026-11-28T02:00:00Z"));
        BackupResult first = service.run(scheduled, sample, "req-a", Deadline.NONE);
        BackupResult second = service.run(scheduled, sample, "req-b", Deadline.NONE);
        assertEquals("20261128T020000Z-daily", first.backupId());
        assertFalse(first.duplicate());
        assertTrue(second.duplicate());
        assertEquals(first.backupId(), second.backupId());
        assertEquals(first.sha256(), second.sha256());
        assertEquals(1, repo.list(Layout.MANIFESTS).size());
        assertEquals(2, repo.list(Layout.DATA).size(), "one data object and one roles object");
    }

    @Test
    void differentSchedulesOrTimesMakeDifferentBackups() {
        Repository repo = new FileRepository(tmp.resolve("repo"));
        BackupService service = new BackupService(repo, localKey(), tools, Clock.systemUTC());
        service.run(BackupRequest.fromEvent(Map.of("schedule", "hourly", "scheduledTime", "2026-11-28T03:00:00Z")), sample, "r", Deadline.NONE);
        service.run(BackupRequest.fromEvent(Map.of("schedule", "hourly", "scheduledTime", "2026-11-28T04:00:00Z")), sample, "r", Deadline.NONE);
        assertEquals(2, repo.list(Layout.MANIFESTS).size());
    }

    @Test
    void manifestIsWrittenLastAndOnlyOnSuccess() {
        // A repository whose manifest write fails: the data object is complete, yet no backup exists.
        Repository inner = new FileRepository(tmp.resolve("repo"));
        Repository failingManifest = new com.taskmaster.backup.repository.ForwardingRepository(inner) {
            @Override
            public void putIfAbsent(ObjectKey k, byte[] c) {
                throw new com.taskmaster.backup.repository.RepositoryException("disk full");
            }
        };
        var e = org.junit.jupiter.api.Assertions.assertThrows(BackupFailedException.class, () ->
                new BackupService(failingManifest, localKey(), tools, Clock.systemUTC())
                        .run(new BackupRequest(null, null, Trigger.manual()), sample, "r", Deadline.NONE));
        assertTrue(e.getMessage().contains("manifest could not be written"), e.getMessage());
        assertTrue(inner.list(Layout.MANIFESTS).isEmpty());
        assertEquals(0, new com.taskmaster.backup.format.Catalog(inner).list().backups().size());
    }

    /**
     * Issue 9, item 9: once its manifest is committed, a backup writes a catalog index when enough manifests are not in
     * the current one; an index that cannot be written never fails the backup, which exists already.
     */
    @Test
    void aCommittedBackupWritesTheCatalogIndexAndAFailedIndexWriteIsNotAFailedBackup() throws Exception {
        Repository repo = new FileRepository(tmp.resolve("repo"));
        BackupResult seed = new BackupService(repo, localKey(), tools, Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), sample, "r0", Deadline.NONE);
        assertTrue(repo.list(Layout.MANIFESTS).stream().noneMatch(o -> Layout.isCatalogIndex(o.key())), "one manifest read: no index");
        // More backups of the same database, as earlier runs would have left them (copies of the seed's manifest).
        Manifest m = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(seed.backupId()))));
        Instant t0 = m.startedAt().minus(java.time.Duration.ofDays(10));
        for (int i = 0; i < com.taskmaster.backup.format.Catalog.INDEX_AFTER_READS + 2; i++) {
            Instant t = t0.plus(java.time.Duration.ofHours(i));
            BackupId id = BackupId.scheduled(t, "hourly");
            repo.putIfAbsent(Layout.manifest(id), new Manifest(m.formatVersion(), id, m.database(), m.pgDumpVersion(), t, t,
                    m.data(), m.compression(), m.encryption(), m.tables(), null, null, m.trigger(), null, m.fingerprints(), m.roles()).toJson());
        }
        Repository refusingIndexes = new com.taskmaster.backup.repository.ForwardingRepository(repo) {
            @Override
            public void putIfAbsent(ObjectKey k, byte[] c) {
                if (Layout.isCatalogIndex(k)) {
                    throw new com.taskmaster.backup.repository.RepositoryException("access denied (test)");
                }
                super.putIfAbsent(k, c);
            }
        };
        BackupResult first = new BackupService(refusingIndexes, localKey(), tools, Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), sample, "r1", Deadline.NONE);
        assertFalse(first.duplicate());
        assertTrue(repo.stat(Layout.manifest(BackupId.parse(first.backupId()))).isPresent(), "the backup is committed");
        assertTrue(repo.list(Layout.MANIFESTS).stream().noneMatch(o -> Layout.isCatalogIndex(o.key())));

        BackupResult second = new BackupService(repo, localKey(), tools, Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), sample, "r2", Deadline.NONE);
        List<ObjectKey> indexes = repo.list(Layout.MANIFESTS).stream().map(o -> o.key()).filter(Layout::isCatalogIndex).toList();
        assertEquals(1, indexes.size(), indexes.toString());
        var index = com.taskmaster.backup.format.CatalogIndex.fromJson(repo.read(indexes.get(0)));
        assertEquals(com.taskmaster.backup.format.Catalog.INDEX_AFTER_READS + 5, index.entries().size(), "every backup, both new ones too");
        assertTrue(index.entries().stream().anyMatch(e -> e.key().equals(Layout.manifest(BackupId.parse(second.backupId())).value())));
        assertEquals(com.taskmaster.backup.format.Catalog.INDEX_AFTER_READS + 5,
                new com.taskmaster.backup.format.Catalog(repo).list().fromIndex().size());
    }

    @Test
    void impossibleTimesAreInvalidIdsAndStrayManifestsDoNotBreakTheCatalog() {
        for (String bad : List.of("20261340T000000Z-x", "20260231T000000Z-x", "20261128T250000Z-x", "20261128T026000Z-x")) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> BackupId.parse(bad), bad);
            assertTrue(e.getMessage().contains("is not a real UTC time"), e.getMessage());
        }
        assertEquals(Instant.parse("2024-02-29T23:59:59Z"), BackupId.parse("20240229T235959Z-leap").time());
        Repository repo = new FileRepository(tmp.resolve("repo"));
        repo.putIfAbsent(ObjectKey.of("manifests/20261340T000000Z-x.json"), "{}".getBytes());
        assertEquals(0, new com.taskmaster.backup.format.Catalog(repo).list().backups().size());
    }

    @Test
    void idsSortByTime() {
        BackupId a = BackupId.manual(Instant.parse("2026-11-28T01:00:00Z"));
        BackupId b = BackupId.scheduled(Instant.parse("2026-11-28T02:00:00Z"), "daily");
        assertTrue(a.compareTo(b) < 0);
    }
}
