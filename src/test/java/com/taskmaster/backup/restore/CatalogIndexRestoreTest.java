package com.taskmaster.backup.restore;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.RepositoryException;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.Backups;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, item 9: restore chooses a backup from the catalog, which may take manifests from the catalog index; the
 * chosen backup's manifest is read again and must be that copy, else nothing is restored.
 */
class CatalogIndexRestoreTest {
    @TempDir
    Path tmp;

    @Test
    void aForgedIndexCopyOfTheChosenBackupIsRefusedBeforeTheTargetIsTouched() throws Exception {
        PostgresServer pg = PostgresServer.get();
        DbCredentials source = pg.sampleDatabase("idxsrc", 0.05);
        DbCredentials other = pg.sampleDatabase("idxother", 0.05);
        Repository repo = new FileRepository(tmp.resolve("repo"));
        Repository otherRepo = new FileRepository(tmp.resolve("other"));
        Envelope key = Keys.open("file://" + tmp.resolve("backup.key"), () -> null);
        BackupService backups = new BackupService(repo, key, pg.tools(), Clock.systemUTC());
        Manifest real = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(
                backups.run(new BackupRequest(null, null, Trigger.manual()), source, "r", Deadline.NONE).backupId()))));
        // Another database's backup, whose data a forged copy points at (same key, so it would decrypt).
        String otherId = new BackupService(otherRepo, key, pg.tools(), Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), other, "r", Deadline.NONE).backupId();
        Manifest foreign = Manifest.fromJson(otherRepo.read(Layout.manifest(BackupId.parse(otherId))));

        Backups.forgeIndexCopy(repo, real.backupId(), new Manifest(real.formatVersion(), real.backupId(), real.database(),
                real.pgDumpVersion(), real.startedAt(), real.finishedAt(), foreign.data(), real.compression(), foreign.encryption(),
                foreign.tables(), null, null, real.trigger(), null), Instant.now());

        DbCredentials target = pg.createDatabase("idxtarget");
        RepositoryException e = assertThrows(RepositoryException.class, () -> new RestoreService(repo, key, pg.tools(),
                Clock.systemUTC()).run(new RestoreRequest(Optional.of(real.backupId()), Optional.empty(), "postgresql://target",
                Optional.empty()), target, Deadline.NONE));
        assertTrue(e.getMessage().contains("differs from its copy in the catalog index"), e.getMessage());
        assertEquals("0", pg.psql(target.database(),
                "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace").trim(), "the target is untouched");
    }
}
