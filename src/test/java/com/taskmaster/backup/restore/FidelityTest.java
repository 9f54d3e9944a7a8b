package com.taskmaster.backup.restore;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupResult;
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
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.Restores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A database holding many kinds of objects (src/test/resources/restore/fidelity.sql: schemas, sequences with
 * advanced values, an identity column, views, a populated and an unpopulated materialized view, SQL and plpgsql
 * functions, a procedure, an aggregate, triggers, a range-partitioned table with a default partition, enums,
 * domains, composite and range types, extensions from contrib (pg_trgm, hstore, citext, btree_gist), large objects,
 * comments, non-ASCII and quoted identifiers, generated columns, check and exclusion constraints, row-level
 * security policies, an unlogged table) is backed up with {@link BackupService} (file repository, local key) and
 * restored through the product's restore path ({@link RestoreService}) into a fresh database. Then
 * {@code pg_dump --schema-only} and a full plain {@code pg_dump} of source and restored database must be identical.
 *
 * <p>Nothing is normalised. The only thing that would differ between two plain dumps of equal databases is the
 * random key of the <code>&#92;restrict</code> / <code>&#92;unrestrict</code> lines that pg_dump 15.14+ writes (a psql
 * safety measure, new per run); both dumps are taken with the same {@code --restrict-key} instead. The database name
 * does not appear in a plain dump without {@code --create}, and the "-- Dumped from/by" header lines are equal
 * because both dumps come from the same server and pg_dump.
 *
 * <p>Ownership by other roles and privileges (GRANT/REVOKE, default privileges, policies' roles) are OwnershipTest's
 * subject; here everything is created by the restoring user and nothing is granted. Database-level properties (settings from ALTER DATABASE, the database's comment) are not in a
 * single database's archive without {@code --create} and are out of scope, as are roles (server-wide).
 */
class FidelityTest {
    @TempDir
    Path tmp;

    @Test
    void everyKindOfObjectSurvivesBackupAndRestoreUnchanged() throws Exception {
        PostgresServer pg = PostgresServer.get();
        DbCredentials source = pg.createDatabase("fidelity");
        PostgresServer.run(List.of(pg.tools().program("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-f", PostgresServer.repoFile("src/test/resources/restore/fidelity.sql").toString()), source.libpqEnvironment());

        Repository repo = new FileRepository(tmp.resolve("repo"));
        Envelope key = Keys.open("file://" + tmp.resolve("keys/backup.key"), () -> {
            throw new AssertionError("no KMS for local keys");
        });
        BackupResult backup = new BackupService(repo, key, pg.tools(), Clock.systemUTC())
                .run(new BackupRequest("fidelity", null, Trigger.manual()), source, "req-fidelity", Deadline.NONE);
        Manifest m = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(backup.backupId()))));

        DbCredentials restored = pg.createDatabase("fidelity_restored");
        RestoreResult result = new RestoreService(repo, key, pg.tools(), Clock.systemUTC()).run(
                new RestoreRequest(Optional.of(m.backupId()), Optional.empty(), "postgresql://restore-target", Optional.empty()),
                restored, Deadline.NONE);

        assertTrue(result.fingerprintsEqual());
        assertEquals(m.tables().size(), result.tablesRestored());
        assertEquals(com.taskmaster.backup.format.DatabaseRestore.Restored.CONTENT, result.proof());
        assertTrue(result.tables().stream().allMatch(t -> t.rowsEqual() && Boolean.TRUE.equals(t.digestEqual())), result.tables().toString());
        assertEquals(2, m.fingerprints().largeObjects().count(), "the source's large objects are fingerprinted");
        assertTrue(m.fingerprints().sequences().stream().anyMatch(q -> q.name().equals("invoice_no") && q.lastValue() == 1294),
                m.fingerprints().sequences().toString());
        assertEquals(List.of(), result.roles().missingOnTarget(), "every owner in the archive exists on the target");
        assertEquals(0, result.roles().privilegeEntries(), "nothing granted");
        assertEquals(m.tables(), Restores.fingerprints(restored, m.tables()), "row counts equal the manifest's");
        List<String> names = m.tables().stream().map(t -> t.qualifiedName()).toList();
        for (String t : List.of("app.events_2025", "app.events_2026", "app.events_other", "app.Ünïcødé Tàble",
                "MixedCase.MixedCase", "public.has space", "app.scratch", "app.notes")) {
            assertTrue(names.stream().anyMatch(n -> n.replace("\"", "").equals(t)), t + " in the manifest: " + names);
        }
        assertTrue(m.tables().stream().allMatch(t -> t.rows() > 0), "every table holds rows: " + m.tables());

        String schemaSource = dump(source, "--schema-only");
        String schemaRestored = dump(restored, "--schema-only");
        assertSameDump(schemaSource, schemaRestored, "pg_dump --schema-only");
        String fullSource = dump(source);
        assertSameDump(fullSource, dump(restored), "pg_dump (schema and data)");

        // The dumps really hold what the source was built with (the comparison is not vacuous).
        for (String expected : List.of("CREATE EXTENSION IF NOT EXISTS pg_trgm", "CREATE EXTENSION IF NOT EXISTS hstore",
                "CREATE EXTENSION IF NOT EXISTS citext", "CREATE TYPE app.status AS ENUM", "CREATE DOMAIN app.email",
                "CREATE MATERIALIZED VIEW app.task_stats", "REFRESH MATERIALIZED VIEW app.task_stats",
                "FOR VALUES FROM ('2025-01-01", "ATTACH PARTITION app.events_other DEFAULT", "CREATE POLICY notes_owner",
                "ENABLE ROW LEVEL SECURITY", "GENERATED ALWAYS AS ((hours * (60)::numeric)) STORED",
                "GENERATED ALWAYS AS IDENTITY", "EXCLUDE USING gist", "CREATE TRIGGER tasks_touch",
                "CREATE FUNCTION app.audit_event() RETURNS trigger", "LANGUAGE plpgsql", "BEGIN ATOMIC",
                "CREATE PROCEDURE app.close_all", "CREATE AGGREGATE app.concat_all",
                "SELECT pg_catalog.setval('app.invoice_no', 1294, true)", "SELECT pg_catalog.setval('app.never_used', 1, false)",
                "app.\"Ünïcødé Tàble\"", "\"MixedCase\".\"MixedCase\"", "public.\"has space\"",
                "COMMENT ON TABLE app.\"Ünïcødé Tàble\" IS 'Ünïcødé comment: 日本語, emoji 🐘'",
                "SELECT pg_catalog.lo_create(", "COMMENT ON LARGE OBJECT", "CREATE UNLOGGED TABLE app.scratch", "\\restrict fidelity")) {
            assertTrue(fullSource.contains(expected), "the source dump holds " + expected);
        }
        assertTrue(fullSource.contains("значение 25 値"), "non-ASCII data");
        // ... and a one-value change (a sequence advanced once) makes them differ.
        pg.psql(restored.database(), "SELECT nextval('app.never_used')");
        assertNotEquals(fullSource, dump(restored));
    }

    private static String dump(DbCredentials db, String... options) {
        PostgresServer pg = PostgresServer.get();
        List<String> cmd = new java.util.ArrayList<>(List.of(pg.tools().program("pg_dump").toString(), "--format=plain",
                "--restrict-key=fidelity"));
        cmd.addAll(List.of(options));
        return PostgresServer.run(cmd, db.libpqEnvironment());
    }

    /** Equal, byte for byte; on failure, the first differing lines are shown. */
    private static void assertSameDump(String source, String restored, String what) {
        if (!source.equals(restored)) {
            List<String> la = source.lines().toList();
            List<String> lb = restored.lines().toList();
            int i = 0;
            while (i < Math.min(la.size(), lb.size()) && la.get(i).equals(lb.get(i))) {
                i++;
            }
            String context = "source:\n" + la.subList(i, Math.min(la.size(), i + 8)).stream().collect(Collectors.joining("\n"))
                    + "\nrestored:\n" + lb.subList(i, Math.min(lb.size(), i + 8)).stream().collect(Collectors.joining("\n"));
            throw new AssertionError(what + " differs at line " + (i + 1) + "\n" + context);
        }
    }
}
