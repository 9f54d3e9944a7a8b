package com.taskmaster.backup.restore;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupResult;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.RestoreFailedException;
import com.taskmaster.backup.format.RoleHandling;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
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

    @TempDir
    static Path tmp;
    static DbCredentials source;
    static Repository repo;
    static Envelope key;
    static Manifest manifest;

    @BeforeAll
    static void backup() throws Exception {
        String app = "\"" + APP + "\"";
        PG.psql("postgres", "CREATE ROLE " + OWNER + " NOLOGIN; CREATE ROLE " + app + " LOGIN");
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

    static String roles(PostgresServer server) {
        return server.psql("postgres", "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles");
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
