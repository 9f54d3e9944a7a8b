package com.taskmaster.backup.backup;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.BackupReader;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.Repositories;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GIVEN two databases WHEN both are backed up into one repository THEN the second is refused, nothing stored, unless it
 * has its own BACKUP_NAMESPACE; each manifest records (and each data object's encryption context binds) its source's
 * system identifier, or, when the role may not read it, works without it.
 */
class SourceIdentityTest {
    static DbCredentials prod;
    static DbCredentials staging;

    @TempDir
    Path tmp;

    @BeforeAll
    static void databases() {
        prod = PostgresServer.get().sampleDatabase("srcprod", 0.1);
        staging = PostgresServer.get().sampleDatabase("srcstaging", 0.1);
    }

    private BackupService service(Repository repo) {
        Envelope key = Keys.open("file://" + tmp.resolve("backup.key"), () -> null);
        return new BackupService(repo, key, PostgresServer.get().tools(), Clock.systemUTC());
    }

    private Manifest backup(Repository repo, DbCredentials db) throws Exception {
        BackupResult r = service(repo).run(new BackupRequest(null, null, Trigger.manual()), db, "r", Deadline.NONE);
        return Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(r.backupId()))));
    }

    @Test
    void anotherDatabaseIsRefusedUnlessInItsOwnNamespace() throws Exception {
        String uri = "file://" + tmp.resolve("repo");
        Repository repo = Repositories.open(uri, () -> null);
        Manifest first = backup(repo, prod);
        String systemId = PostgresServer.get().psql("postgres", "SELECT system_identifier FROM pg_control_system()").strip();
        assertEquals(systemId, first.database().systemIdentifier());
        assertEquals(systemId, first.encryption().encryptionContext().get("systemIdentifier"));

        BackupFailedException e = assertThrows(BackupFailedException.class, () -> backup(repo, staging));
        assertTrue(e.getMessage().contains("holds backups of database " + prod.database()) && e.getMessage().contains("BACKUP_NAMESPACE"),
                e.getMessage());
        assertEquals(1, repo.list(Layout.MANIFESTS).size());
        assertEquals(2, repo.list(Layout.DATA).size(), "no data or roles object of the refused backup (the first backup's two only)");

        Repository stagingRepo = Repositories.open(Repositories.withNamespace(uri, Optional.of("staging")), () -> null);
        Manifest other = backup(stagingRepo, staging);
        assertEquals(staging.database(), other.database().name());
        assertEquals(1, new Catalog(repo).list().backups().size(), "the namespace is outside the repository's listing");
        backup(repo, prod); // the same database again: accepted
        assertThrows(IllegalArgumentException.class, () -> Repositories.withNamespace(uri, Optional.of("manifests")));
        assertThrows(IllegalArgumentException.class, () -> Repositories.withNamespace(uri, Optional.of("../x")));
    }

    @Test
    void anUnreadableSystemIdentifierIsLeftOutAndTheBackupStillRestores() throws Exception {
        PostgresServer pg = PostgresServer.get();
        String role = "noctl_" + ProcessHandle.current().pid();
        pg.psql("postgres", "DROP ROLE IF EXISTS " + role + "; CREATE ROLE " + role + " LOGIN PASSWORD 'limited-role-pw-4711' IN ROLE pg_read_all_data");
        pg.psql(staging.database(), "REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC");
        DbCredentials limited = new DbCredentials(staging.host(), staging.port(), staging.database(), role, "limited-role-pw-4711", staging.sslmode());
        Repository repo = Repositories.open("file://" + tmp.resolve("limited"), () -> null);
        Manifest m = backup(repo, limited);
        assertNull(m.database().systemIdentifier());
        assertEquals(null, m.encryption().encryptionContext().get("systemIdentifier"));
        Envelope key = Keys.open("file://" + tmp.resolve("backup.key"), () -> null);
        try (InputStream in = BackupReader.open(repo, m, key)) {
            assertEquals(m.data().plainBytes(), in.transferTo(OutputStream.nullOutputStream()));
        }
    }
}
