package com.taskmaster.backup.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupResult;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.RestoreFailedException;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.pgarchive.FingerprintDifferencesTest;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.verify.VerifyRequest;
import com.taskmaster.backup.verify.VerifyResult;
import com.taskmaster.backup.verify.VerifyService;
import com.taskmaster.backup.verify.VerifySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * restore proves a restored database equal to its backup by content (rows and digest of every table), not just by
 * count: a target that silently alters inserted values keeps every count and is caught; a manifest written before
 * content fingerprints still restores and verifies, by its counts.
 */
class ContentProofTest {
    static final PostgresServer PG = PostgresServer.get();

    @TempDir
    Path tmp;

    private record Backup(Repository repo, Envelope key, Manifest manifest) {
    }

    private Backup backup(String name) throws Exception {
        DbCredentials source = PG.createDatabase(name);
        PG.psql(source.database(), """
                CREATE TABLE texts (id int PRIMARY KEY, t text);
                INSERT INTO texts SELECT i, 'text ' || i FROM generate_series(1, 10) i;
                CREATE TABLE other (id serial PRIMARY KEY, v numeric);
                INSERT INTO other (v) SELECT i / 7.0 FROM generate_series(1, 500) i;
                """);
        Repository repo = new FileRepository(tmp.resolve("repo"));
        Envelope key = Keys.open("file://" + tmp.resolve("keys/backup.key"), () -> {
            throw new AssertionError("no KMS for local keys");
        });
        BackupResult r = new BackupService(repo, key, PG.tools(), Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), source, "req", Deadline.NONE);
        return new Backup(repo, key, Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(r.backupId())))));
    }

    private static RestoreResult restore(Backup b, DbCredentials target) {
        return new RestoreService(b.repo(), b.key(), PG.tools(), Clock.systemUTC()).run(
                new RestoreRequest(Optional.of(b.manifest().backupId()), Optional.empty(), "postgresql://target", Optional.empty()),
                target, Deadline.NONE);
    }

    private static DbCredentials tamperingTarget(String name) {
        DbCredentials target = PG.createDatabase(name);
        PG.psql(target.database(), FingerprintDifferencesTest.TAMPERING_TARGET); // row 3 of public.texts gets a '!'
        return target;
    }

    /** Rewrites the manifest the way it was written before content fingerprints: without them. */
    private Backup withoutFingerprints(Backup b) throws Exception {
        ObjectNode json = (ObjectNode) Json.MAPPER.readTree(b.manifest().toJson());
        json.remove("fingerprints");
        json.remove("roles"); // nor roles, captured later still
        Path file = tmp.resolve("repo").resolve(Layout.manifest(b.manifest().backupId()).value());
        Files.write(file, Json.MAPPER.writeValueAsBytes(json));
        Manifest old = Manifest.fromJson(b.repo().read(Layout.manifest(b.manifest().backupId())));
        assertNull(old.fingerprints());
        assertNull(old.roles());
        return new Backup(b.repo(), b.key(), old);
    }

    @Test
    void aRestoreIsProvenTableByTableByContent() throws Exception {
        Backup b = backup("proof_src");
        RestoreResult r = restore(b, PG.createDatabase("proof_dst"));
        assertEquals(DatabaseRestore.Restored.CONTENT, r.proof());
        assertEquals(List.of(new DatabaseRestore.TableProof("public.other", 500, 500, true, true),
                new DatabaseRestore.TableProof("public.texts", 10, 10, true, true)),
                r.tables().stream().sorted(java.util.Comparator.comparing(DatabaseRestore.TableProof::table)).toList());
        assertTrue(r.fingerprintsEqual());
    }

    @Test
    void aTargetThatAltersInsertedValuesKeepsCountsButFailsTheRestoreNamingTheTable() throws Exception {
        Backup b = backup("tamper_src");
        DbCredentials target = tamperingTarget("tamper_dst");

        var e = assertThrows(RestoreFailedException.class, () -> restore(b, target));

        assertEquals("text 3!", PG.psql(target.database(), "SELECT t FROM texts WHERE id = 3").strip(), "the target did alter the row");
        assertEquals("10", PG.psql(target.database(), "SELECT count(*) FROM texts").strip(), "and kept the count");
        assertTrue(e.getMessage().contains("its content differs from the backup's fingerprints (archive vs restored): "
                + "public.texts: content differs with equal count (10 rows); do not use this database"), e.getMessage());
        assertTrue(!e.getMessage().contains("public.other"), "only the altered table is named: " + e.getMessage());
    }

    @Test
    void aManifestWrittenBeforeFingerprintsRestoresAndVerifiesByItsCounts() throws Exception {
        Backup old = withoutFingerprints(backup("old_src"));

        RestoreResult r = restore(old, PG.createDatabase("old_dst"));
        assertEquals(DatabaseRestore.Restored.COUNTS, r.proof());
        assertEquals(List.of(new DatabaseRestore.TableProof("public.other", 500, 500, true, null),
                new DatabaseRestore.TableProof("public.texts", 10, 10, true, null)), r.tables());
        // counts alone cannot see what the tampering target does: the gap content fingerprints close
        RestoreResult tampered = restore(old, tamperingTarget("old_tampered"));
        assertEquals(DatabaseRestore.Restored.COUNTS, tampered.proof());

        VerifyResult v = new VerifyService(old.repo(), Optional.empty(), old.key(), PG.tools(), Clock.systemUTC(),
                VerifySettings.of("7d", "26h", 0.5, 0.5))
                .run(VerifyRequest.fromEvent(Map.of("backupId", old.manifest().backupId().value())), "r", Deadline.NONE);
        assertTrue(v.ok(), v.failures().toString());
    }
}
