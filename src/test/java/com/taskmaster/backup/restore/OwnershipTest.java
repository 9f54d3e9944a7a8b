package com.taskmaster.backup.restore;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupResult;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.BackupReader;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.RestoreFailedException;
import com.taskmaster.backup.format.RoleHandling;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.testing.FakePgDump;
import com.taskmaster.backup.verify.VerifyRequest;
import com.taskmaster.backup.verify.VerifyResult;
import com.taskmaster.backup.verify.VerifyService;
import com.taskmaster.backup.verify.VerifySettings;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.restoretest.RestoreTestReport;
import com.taskmaster.backup.restoretest.RestoreTestRequest;
import com.taskmaster.backup.restoretest.RestoreTestService;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ownership and privileges survive a restore exactly: GIVEN a database whose objects belong to an owner role and are
 * granted to an application role (tables, a column, a sequence, a function, a schema, default privileges, a
 * row-level security policy), WHEN restored by default into a server that has those roles, THEN {@code pg_dump}
 * (with owners and privileges) of source and restored database are identical; into a server without them, the
 * restore is refused naming them with nothing touched, and {@code "roles": "skip"} restores without them.
 */
class OwnershipTest {
    static final PostgresServer PG = PostgresServer.get();
    static final String OWNER = "own_" + ProcessHandle.current().pid();
    static final String APP = "App User " + ProcessHandle.current().pid(); // a name that needs quoting
    static final String PASSWORD = "pw-never-stored-" + ProcessHandle.current().pid();

    @TempDir
    static Path tmp;
    static DbCredentials source;
    static Repository repo;
    static Envelope key;
    static Manifest manifest;

    @BeforeAll
    static void backup() throws Exception {
        String app = "\"" + APP + "\"";
        PG.psql("postgres", "CREATE ROLE " + OWNER + " NOLOGIN CREATEDB; CREATE ROLE " + app + " LOGIN PASSWORD '" + PASSWORD
                + "'; GRANT " + OWNER + " TO " + app);
        source = PG.createDatabase("owned_src");
        PG.psql(source.database(), String.join("\n",
                "CREATE SCHEMA app AUTHORIZATION " + OWNER + ";",
                "CREATE TABLE app.items (id serial PRIMARY KEY, secret text, owner_name text);",
                "INSERT INTO app.items (secret, owner_name) SELECT 's' || i, 'u' || i FROM generate_series(1, 20) i;",
                "ALTER TABLE app.items OWNER TO " + OWNER + ";",
                "CREATE TABLE \"x TO y\" (id int);",
                "CREATE FUNCTION app.double(i int) RETURNS int LANGUAGE sql AS 'SELECT i * 2';",
                "ALTER FUNCTION app.double(int) OWNER TO " + OWNER + ";",
                "REVOKE ALL ON FUNCTION app.double(int) FROM PUBLIC;",
                "GRANT USAGE ON SCHEMA app TO " + app + ";",
                "GRANT SELECT (id, owner_name), UPDATE (owner_name) ON app.items TO " + app + ";",
                "GRANT USAGE ON SEQUENCE app.items_id_seq TO " + app + ";",
                "GRANT EXECUTE ON FUNCTION app.double(int) TO " + app + " WITH GRANT OPTION;",
                "GRANT SELECT ON \"x TO y\" TO " + OWNER + ";",
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + OWNER + " IN SCHEMA app GRANT SELECT ON TABLES TO " + app + ";",
                "ALTER TABLE app.items ENABLE ROW LEVEL SECURITY;",
                "CREATE POLICY mine ON app.items TO " + app + " USING (owner_name = current_user);"));
        repo = new FileRepository(tmp.resolve("repo"));
        key = Keys.open("file://" + tmp.resolve("keys/backup.key"), () -> {
            throw new AssertionError("no KMS for local keys");
        });
        BackupResult r = new BackupService(repo, key, PG.tools(), Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), source, "req", Deadline.NONE);
        manifest = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(r.backupId()))));
    }

    static RestoreResult restore(DbCredentials target, RoleHandling roles) {
        return new RestoreService(repo, key, PG.tools(), Clock.systemUTC()).run(new RestoreRequest(Optional.of(manifest.backupId()),
                Optional.empty(), "postgresql://target", Optional.empty(), roles), target, Deadline.NONE);
    }

    /** pg_dump of the schema WITH owners and privileges (no --no-owner, no --no-privileges). */
    static String schemaWithOwnersAndPrivileges(PostgresServer server, DbCredentials db) {
        List<String> cmd = new ArrayList<>(List.of(server.tools().program("pg_dump").toString(), "--schema-only",
                "--restrict-key=ownership"));
        return PostgresServer.run(cmd, db.libpqEnvironment());
    }

    /** Leaves the scratch server as the other tests expect it: without this test's database and roles. */
    static void dropDatabaseAndRoles(PostgresServer server, DbCredentials db, String... roles) {
        server.psql("postgres", "DROP DATABASE IF EXISTS " + db.database());
        server.psql("postgres", "DROP ROLE IF EXISTS " + String.join(", ", java.util.Arrays.stream(roles)
                .map(r -> "\"" + r + "\"").toList()));
    }

    static String roles(PostgresServer server) {
        return server.psql("postgres", "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles");
    }

    static String rolesSql(Repository repository, Manifest m) throws Exception {
        try (var in = BackupReader.open(repository, m, m.roles().object(), key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theBackupCapturesTheServersRolesEncryptedAndWithoutPasswords() throws Exception {
        Manifest.Roles roles = manifest.roles();
        assertEquals(Manifest.Roles.PG_DUMPALL, roles.capturedBy());
        assertTrue(roles.referenced().containsAll(List.of(APP, OWNER)), roles.referenced().toString());
        assertTrue(Layout.isDataOf(manifest.backupId(), roles.object().key()), roles.object().key());
        String sql = rolesSql(repo, manifest);
        assertTrue(sql.contains("CREATE ROLE " + OWNER + ";"), sql);
        assertTrue(sql.contains("CREATE ROLE \"" + APP + "\";"), sql);
        assertTrue(sql.contains("GRANT " + OWNER + " TO \"" + APP + "\""), sql);
        assertFalse(sql.contains(PASSWORD) || sql.contains("SCRAM-SHA-256$") || sql.contains("PASSWORD"), sql);
        String stored = new String(repo.read(ObjectKey.of(roles.object().key())), StandardCharsets.ISO_8859_1);
        assertFalse(stored.contains(OWNER), "stored encrypted");
        assertEquals(roles.object().storedBytes(), repo.read(ObjectKey.of(roles.object().key())).length);
    }

    @Test
    void whenPgDumpallFailsTheRolesComeFromTheCatalogAndVerifyChecksTheRolesObject() throws Exception {
        Path bin = tmp.resolve("fake-bin");
        PgTools tools = FakePgDump.in(bin, PG.tools(), "exec \"$REAL/pg_dump\" \"$@\"");
        Files.writeString(bin.resolve("pg_dumpall"), "#!/bin/bash\necho 'pg_dumpall: error: query failed: permission denied' >&2\nexit 1\n");
        Files.setPosixFilePermissions(bin.resolve("pg_dumpall"), PosixFilePermissions.fromString("rwx------"));
        Path dir = tmp.resolve("repo-catalog");
        Repository repository = new FileRepository(dir);
        BackupResult r = new BackupService(repository, key, tools, Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), source, "req", Deadline.NONE);
        Manifest m = Manifest.fromJson(repository.read(Layout.manifest(BackupId.parse(r.backupId()))));

        assertEquals(Manifest.Roles.CATALOG, m.roles().capturedBy());
        String sql = rolesSql(repository, m);
        assertTrue(sql.contains("CREATE ROLE " + OWNER + ";\nALTER ROLE " + OWNER + " WITH NOSUPERUSER INHERIT NOCREATEROLE CREATEDB NOLOGIN"), sql);
        assertTrue(sql.contains("GRANT " + OWNER + " TO \"" + APP + "\";"), sql);
        assertFalse(sql.contains(PASSWORD), sql);

        VerifyService verify = new VerifyService(repository, Optional.empty(), key, PG.tools(), Clock.systemUTC(),
                VerifySettings.of("7d", "26h", 0.5, 0.5));
        VerifyResult ok = verify.run(VerifyRequest.fromEvent(Map.of("backupId", m.backupId().value())), "r", Deadline.NONE);
        assertTrue(ok.ok(), ok.failures().toString());
        Path rolesFile = dir.resolve(m.roles().object().key());
        byte[] bytes = Files.readAllBytes(rolesFile);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(rolesFile, bytes);
        VerifyResult bad = verify.run(VerifyRequest.fromEvent(Map.of("backupId", m.backupId().value())), "r", Deadline.NONE);
        assertFalse(bad.ok());
        assertTrue(bad.failures().toString().contains("roles object"), bad.failures().toString());
    }

    @Test
    void ownersAndPrivilegesAreRestoredExactlyByDefault() {
        DbCredentials target = PG.createDatabase("owned_dst");
        RestoreResult r = restore(target, RoleHandling.RESTORE);

        assertEquals(schemaWithOwnersAndPrivileges(PG, source), schemaWithOwnersAndPrivileges(PG, target));
        assertEquals(OWNER, PG.psql(target.database(), "SELECT tableowner FROM pg_tables WHERE tablename = 'items'").strip());
        assertEquals("restore", r.roles().handling());
        assertTrue(r.roles().ownershipAndPrivilegesRestored());
        assertTrue(r.roles().ownersInBackup().contains(OWNER), r.roles().toString());
        assertTrue(r.roles().granteesInBackup().containsAll(List.of(APP, OWNER)), r.roles().toString());
        assertEquals(List.of(), r.roles().missingOnTarget());
        assertTrue(r.roles().proven().startsWith("owners of "), r.roles().proven());
    }

    @Test
    void aTargetThatGrantsMoreThanTheBackupIsCaughtByTheOwnershipProof() {
        DbCredentials target = PG.createDatabase("owned_tamper");
        // an event trigger on the target grants every new table to PUBLIC: data and counts stay equal
        PG.psql(target.database(), String.join("\n",
                "CREATE FUNCTION grant_all() RETURNS event_trigger LANGUAGE plpgsql AS $$",
                "DECLARE r record; BEGIN",
                "  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' LOOP",
                "    EXECUTE 'GRANT SELECT ON ' || r.object_identity || ' TO PUBLIC';",
                "  END LOOP;",
                "END $$;",
                "CREATE EVENT TRIGGER grant_all ON ddl_command_end EXECUTE FUNCTION grant_all();"));

        var e = assertThrows(RestoreFailedException.class, () -> restore(target, RoleHandling.RESTORE));

        assertTrue(e.getMessage().contains("owners or privileges of the restored database differ from the backup's"), e.getMessage());
        assertTrue(e.getMessage().contains("ACL app.TABLE items") && e.getMessage().contains("TO PUBLIC"), e.getMessage());
    }

    @Test
    void missingRolesAreRefusedWithTheirNamesAndNothingIsTouched() {
        PostgresServer other = PostgresServer.scratch();
        DbCredentials target = other.createDatabase("owned_missing");
        String rolesBefore = roles(other);

        var e = assertThrows(RestoreFailedException.class, () -> restore(target, RoleHandling.RESTORE));

        assertTrue(e.getMessage().contains("do not exist on the target: " + APP + ", " + OWNER + "; nothing was changed"),
                e.getMessage());
        assertTrue(e.getMessage().contains("\"roles\": \"create-missing\"") || e.getMessage().contains("\"roles\": \"skip\""),
                e.getMessage());
        assertEquals("0", other.psql(target.database(), "SELECT count(*) FROM pg_class WHERE relnamespace NOT IN "
                + "(SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema', 'pg_toast'))").strip());
        assertEquals("", other.psql(target.database(), "SELECT nspname FROM pg_namespace WHERE nspname = 'app'").strip());
        assertEquals(rolesBefore, roles(other), "no role created or changed");
    }

    @Test
    void createMissingCreatesTheRolesNologinWithTheirMembershipsAndRestoresOwnersAndPrivilegesExactly() {
        PostgresServer other = PostgresServer.scratch();
        DbCredentials target = other.createDatabase("owned_create");
        try {
            RestoreResult r = restore(target, RoleHandling.CREATE_MISSING);

            assertEquals(schemaWithOwnersAndPrivileges(PG, source), schemaWithOwnersAndPrivileges(other, target));
            assertEquals(List.of(APP, OWNER), r.roles().created());
            assertEquals("create-missing", r.roles().handling());
            assertTrue(r.roles().note().contains("roles created NOLOGIN from the backup's captured definitions"), r.roles().note());
            assertTrue(r.roles().note().contains("memberships granted: " + APP + " in " + OWNER), r.roles().note());
            assertTrue(r.roles().note().contains("attributes withheld") && r.roles().note().contains("CREATEDB"), r.roles().note());
            assertEquals("f|f", other.psql("postgres", "SELECT rolcanlogin, rolcreatedb FROM pg_roles WHERE rolname = '" + APP + "'").strip());
            assertEquals("t", other.psql("postgres", "SELECT pg_has_role('" + APP + "', '" + OWNER + "', 'MEMBER')").strip());
        } finally {
            dropDatabaseAndRoles(other, target, APP, OWNER);
        }
    }

    @Test
    void aRoleMapGivesTheBackupsOwnersAndPrivilegesToOtherRolesExactly() {
        PostgresServer other = PostgresServer.scratch();
        String owner = "mapped_owner_" + ProcessHandle.current().pid();
        String app = "Mapped App " + ProcessHandle.current().pid();
        Map<String, String> map = Map.of(OWNER, owner, APP, app);
        DbCredentials target = other.createDatabase("owned_mapped");
        try {
            var unknown = assertThrows(RestoreFailedException.class, () -> restore(target, new RoleHandling(RoleHandling.Mode.RESTORE,
                    Map.of("nobody_here", owner))));
            assertTrue(unknown.getMessage().contains("the role map names [nobody_here], which the backup does not"), unknown.getMessage());
            var absent = assertThrows(RestoreFailedException.class, () -> restore(target, new RoleHandling(RoleHandling.Mode.RESTORE, map)));
            assertTrue(absent.getMessage().contains("the role map maps to [" + app + ", " + owner + "], which do not exist on the target"),
                    absent.getMessage());

            other.psql("postgres", "CREATE ROLE " + owner + "; CREATE ROLE \"" + app + "\"");
            RestoreResult r = restore(target, new RoleHandling(RoleHandling.Mode.RESTORE, map));

            String expected = schemaWithOwnersAndPrivileges(PG, source).replace(OWNER, owner).replace(APP, app);
            assertEquals(expected, schemaWithOwnersAndPrivileges(other, target));
            assertEquals(new java.util.TreeMap<>(map), r.roles().mapped());
            assertEquals(owner, other.psql(target.database(), "SELECT tableowner FROM pg_tables WHERE tablename = 'items'").strip());
            assertTrue(r.fingerprintsEqual());
        } finally {
            dropDatabaseAndRoles(other, target, app, owner);
        }
    }

    @Test
    void rolesCreatedForARestoreThatFailsAreDroppedAgain() {
        PostgresServer other = PostgresServer.scratch();
        DbCredentials target = other.createDatabase("owned_fails");
        other.psql(target.database(), "CREATE SCHEMA app"); // no relation, so the target counts as empty; pg_restore then fails on it
        String rolesBefore = roles(other);

        var e = assertThrows(RestoreFailedException.class, () -> restore(target, RoleHandling.CREATE_MISSING));

        assertTrue(e.getMessage().contains("nothing was committed"), e.getMessage());
        assertTrue(e.getMessage().contains("the roles created for it (" + APP + ", " + OWNER + ") were dropped again"), e.getMessage());
        assertEquals(rolesBefore, roles(other));
    }

    /** The repository with the backup's manifest changed: the digest of app.items is not the archive's (a proof failure). */
    static Repository withWrongDigest() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "repo-wrong-digest-");
        try (var files = Files.walk(tmp.resolve("repo"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path to = dir.resolve(tmp.resolve("repo").relativize(f));
                Files.createDirectories(to.getParent());
                Files.copy(f, to);
            }
        }
        Path file = dir.resolve(Layout.manifest(manifest.backupId()).value());
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) com.taskmaster.backup.support.Json.MAPPER.readTree(Files.readAllBytes(file));
        for (var t : json.get("fingerprints").get("tables")) {
            if (t.get("name").asText().equals("items")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) t).put("digest", "0".repeat(63) + "1");
            }
        }
        Files.write(file, com.taskmaster.backup.support.Json.MAPPER.writeValueAsBytes(json));
        return new FileRepository(dir);
    }

    /**
     * A confirmed restore over an existing database with create-missing restores into a new database beside it: when it
     * fails after pg_restore committed there (the proof) or at the swap, the roles created for it are dropped again with
     * that database, and the server is left as it was.
     */
    @Test
    void rolesCreatedForAReplaceThatFailsAfterTheRestoreAreDroppedWithTheNewDatabase() throws Exception {
        PostgresServer other = PostgresServer.scratch();
        DbCredentials target = other.createDatabase("owned_replace");
        other.psql(target.database(), "CREATE TABLE live (x int)"); // not empty: a confirmed restore replaces it
        String rolesBefore = roles(other);
        java.time.Instant now = java.time.Instant.parse("2026-12-02T15:20:30Z");
        String before = ReplaceBySwap.DatabaseNames.beside(target.database(), "before", now);
        String besideIt = "SELECT count(*) FROM pg_database WHERE datname LIKE '" + target.database() + "_restore_%'";
        try {
            Repository wrong = withWrongDigest();
            var proof = assertThrows(RestoreFailedException.class, () -> new RestoreService(wrong, key, PG.tools(), Clock.systemUTC())
                    .run(new RestoreRequest(Optional.of(manifest.backupId()), Optional.empty(), "postgresql://target",
                            Optional.of(target.database()), RoleHandling.CREATE_MISSING), target, Deadline.NONE));
            assertTrue(proof.getMessage().contains("app.items: content differs"), proof.getMessage());
            assertTrue(proof.getMessage().contains("the roles created for it (" + APP + ", " + OWNER + ") were dropped again"),
                    proof.getMessage());
            assertEquals(rolesBefore, roles(other), "no role left behind by the failed proof");
            assertEquals("0", other.psql("postgres", besideIt).strip());

            // the swap fails: meanwhile, the name the replaced database is to be kept under was taken
            DatabaseRestore restore = new DatabaseRestore(repo, key, PG.tools(), Clock.systemUTC());
            var swap = assertThrows(RestoreFailedException.class, () -> new ReplaceBySwap(Clock.fixed(now, java.time.ZoneOffset.UTC))
                    .replace(manifest, target, (db, rolesKept) -> {
                        DatabaseRestore.Restored r = restore.into(manifest, db, RoleHandling.CREATE_MISSING, Deadline.NONE, rolesKept);
                        other.psql("postgres", "CREATE DATABASE " + before);
                        return r;
                    }, Deadline.NONE));
            assertTrue(swap.getMessage().contains("cannot swap") && swap.getMessage().contains("already exists"), swap.getMessage());
            assertTrue(swap.getMessage().contains("the roles created for it (" + APP + ", " + OWNER + ") were dropped again"),
                    swap.getMessage());
            assertEquals(rolesBefore, roles(other), "no role left behind by the failed swap");
            assertEquals("0", other.psql("postgres", besideIt).strip());
            assertEquals("1", other.psql(target.database(), "SELECT count(*) FROM pg_tables WHERE tablename = 'live'").strip());
        } finally {
            other.psql("postgres", "DROP DATABASE IF EXISTS " + before);
            dropDatabaseAndRoles(other, target, APP, OWNER);
        }
    }

    @Test
    void restoreTestCreatesTheRolesItLacksProvesOwnersAndLeavesTheServerAsItFoundIt() {
        PostgresServer other = PostgresServer.scratch();
        String rolesBefore = roles(other);
        String ownerIsRestored = "SELECT 1 / count(*) FROM pg_tables WHERE tablename = 'items' AND tableowner = '" + OWNER + "'";

        RestoreTestReport report = new RestoreTestService(repo, new DatabaseRestore(repo, key, PG.tools(), Clock.systemUTC()),
                other.admin(), List.of(source), List.of(ownerIsRestored), Duration.ofHours(4), Clock.systemUTC())
                .run(new RestoreTestRequest(Optional.of(manifest.backupId())), Deadline.NONE);

        assertTrue(report.passed(), report.summary());
        assertEquals(List.of(APP, OWNER), report.roles().created());
        assertEquals(rolesBefore, roles(other), "the roles it created are dropped with the scratch database");
    }

    /** restore-test leaves its server as it found it also when the proof fails after pg_restore committed. */
    @Test
    void restoreTestDropsTheRolesItCreatedAlsoWhenTheProofFails() throws Exception {
        PostgresServer other = PostgresServer.scratch();
        String rolesBefore = roles(other);
        Repository wrong = withWrongDigest();

        var e = assertThrows(com.taskmaster.backup.restoretest.RestoreTestFailedException.class, () -> new RestoreTestService(wrong,
                new DatabaseRestore(wrong, key, PG.tools(), Clock.systemUTC()), other.admin(), List.of(source), List.of(),
                Duration.ofHours(4), Clock.systemUTC()).run(new RestoreTestRequest(Optional.of(manifest.backupId())), Deadline.NONE));

        assertTrue(e.getMessage().contains("app.items: content differs"), e.getMessage());
        assertEquals(rolesBefore, roles(other), "the roles it created are dropped with the scratch database");
    }

    @Test
    void skipRestoresWithoutOwnersOrPrivilegesAndSaysSo() {
        PostgresServer other = PostgresServer.scratch();
        DbCredentials target = other.createDatabase("owned_skip");
        // the policy names the application role: skipping privileges still creates policies, so that one must exist
        var e = assertThrows(RestoreFailedException.class, () -> restore(target, RoleHandling.SKIP));
        assertTrue(e.getMessage().contains("policies in the backup name roles that do not exist on the target: " + APP), e.getMessage());
        other.psql("postgres", "CREATE ROLE \"" + APP + "\"");
        RestoreResult r;
        try {
            r = restore(target, RoleHandling.SKIP);
        } finally {
            other.psql(target.database(), "DROP POLICY IF EXISTS mine ON app.items");
            other.psql("postgres", "DROP ROLE \"" + APP + "\"");
        }

        assertEquals("skip", r.roles().handling());
        assertFalse(r.roles().ownershipAndPrivilegesRestored());
        assertEquals(List.of(OWNER), r.roles().missingOnTarget());
        assertEquals(target.user(), r.roles().restoredObjectsOwnedBy());
        assertTrue(r.roles().note().contains("were not restored"), r.roles().note());
        assertEquals(target.user(), other.psql(target.database(), "SELECT tableowner FROM pg_tables WHERE tablename = 'items'").strip());
        assertEquals("20", other.psql(target.database(), "SELECT count(*) FROM app.items").strip());
        assertTrue(r.roles().privilegeEntries() >= 4, r.roles().toString());
        assertEquals(Map.of(), r.roles().mapped());
    }
}
