package com.taskmaster.backup.verify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupResult;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.format.Verifications;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * verify recomputes each backup's content fingerprints from its stored archive and compares them with the manifest's:
 * a manifest whose digest or count of a table does not match its archive fails, naming the table and what differs.
 */
class ContentVerifyTest {
    static final PostgresServer PG = PostgresServer.get();
    static DbCredentials source;

    @TempDir
    Path tmp;

    @BeforeAll
    static void sourceDatabase() {
        source = PG.createDatabase("cverify");
        PG.psql(source.database(), """
                CREATE TABLE texts (id int PRIMARY KEY, t text);
                INSERT INTO texts SELECT i, 'text ' || i FROM generate_series(1, 10) i;
                CREATE TABLE other (id serial PRIMARY KEY, v numeric);
                INSERT INTO other (v) SELECT i / 7.0 FROM generate_series(1, 500) i;
                """);
    }

    private Envelope key() {
        return Keys.open("file://" + tmp.resolve("keys/backup.key"), () -> {
            throw new AssertionError("no KMS for local keys");
        });
    }

    private BackupId backup(Repository repo) {
        BackupResult r = new BackupService(repo, key(), PG.tools(), Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), source, "req", Deadline.NONE);
        return BackupId.parse(r.backupId());
    }

    /** Rewrites the stored manifest's fingerprints (the file repository's file) with {@code change}. */
    private void edit(BackupId id, Consumer<ObjectNode> change) throws Exception {
        Path file = tmp.resolve("repo").resolve(Layout.manifest(id).value());
        ObjectNode json = (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(file));
        change.accept((ObjectNode) json.get("fingerprints"));
        Files.write(file, Json.MAPPER.writeValueAsBytes(json));
    }

    private static ObjectNode table(ObjectNode fingerprints, String name) {
        for (var t : (ArrayNode) fingerprints.get("tables")) {
            if (t.get("name").asText().equals(name)) {
                return (ObjectNode) t;
            }
        }
        throw new AssertionError("no table " + name);
    }

    private Verification verify(Repository repo, BackupId id) {
        VerifyService service = new VerifyService(repo, Optional.empty(), key(), PG.tools(), Clock.systemUTC(),
                VerifySettings.of("7d", "26h", 0.5, 0.5));
        service.run(VerifyRequest.fromEvent(Map.of("backupId", id.value())), "r", Deadline.NONE);
        return new Verifications(repo).latest().get(id);
    }

    @Test
    void aBackupWhoseArchiveMatchesItsFingerprintsPasses() {
        Repository repo = new FileRepository(tmp.resolve("repo"));
        BackupId id = backup(repo);
        Verification v = verify(repo, id);
        assertEquals(Verification.Outcome.passed, v.outcome(), v.reason());
    }

    @Test
    void aDigestThatIsNotTheArchivesFailsNamingTheTableAndContent() throws Exception {
        Repository repo = new FileRepository(tmp.resolve("repo"));
        BackupId id = backup(repo);
        edit(id, fp -> table(fp, "texts").put("digest", "0".repeat(63) + "1"));
        Verification v = verify(repo, id);
        assertEquals(Verification.Outcome.failed, v.outcome());
        assertEquals("content fingerprint differs (manifest vs archive): public.texts: content differs with equal count (10 rows)",
                v.reason());
    }

    @Test
    void aCountThatIsNotTheArchivesFailsNamingTheTableAndCount() throws Exception {
        Repository repo = new FileRepository(tmp.resolve("repo"));
        BackupId id = backup(repo);
        edit(id, fp -> table(fp, "other").put("rows", 499));
        Verification v = verify(repo, id);
        assertEquals(Verification.Outcome.failed, v.outcome());
        assertEquals("content fingerprint differs (manifest vs archive): public.other: count differs: 499 vs 500", v.reason());
    }

    @Test
    void anotherBackupsFingerprintKeyIsRefused() throws Exception {
        Repository repo = new FileRepository(tmp.resolve("repo"));
        BackupId first = backup(repo);
        Thread.sleep(1100); // another id
        BackupId second = backup(repo);
        String firstKey = ((ObjectNode) Json.MAPPER.readTree(repo.read(Layout.manifest(first)))).get("fingerprints").get("key").asText();
        edit(second, fp -> fp.put("key", firstKey));
        Verification v = verify(repo, second);
        assertEquals(Verification.Outcome.failed, v.outcome(), v.reason());
        assertTrue(v.reason().startsWith("cannot unwrap the fingerprint key of backup " + second.value() + ": "), v.reason());
    }
}
