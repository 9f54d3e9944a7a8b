package com.taskmaster.backup.restore;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupResult;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.RoleHandling;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.RestoreFailedException;
import com.taskmaster.backup.format.RoleHandling;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.SnapshotSession;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A confirmed restore over an existing database restores beside it, proves the new database, then swaps the names:
 * GIVEN a database holding a partitioned table with a primary key (which {@code pg_restore --clean} cannot replace on
 * PostgreSQL 15), WHEN it is replaced, THEN the restored database carries its name, the previous one is kept as
 * {@code <name>_before_<time>}, sessions on it are terminated only at the swap; and a failure at any step (refused
 * role, name clash, proof, the swap itself) leaves the original untouched under its name and no new database behind.
 */
class ReplaceBySwapTest {
    static final PostgresServer PG = PostgresServer.get();
    static final String SCHEMA = """
            CREATE TABLE m1 (id int, at date, v text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
            CREATE TABLE m1_2026 PARTITION OF m1 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
            CREATE TABLE m1_2027 PARTITION OF m1 FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
            INSERT INTO m1 SELECT i, date '2026-06-01' + i, 'v' || i FROM generate_series(1, 400) i;
            CREATE TABLE texts (id int PRIMARY KEY, t text);
            INSERT INTO texts SELECT i, 'text ' || i FROM generate_series(1, 10) i;
            """;
    /** A fixed time: the names a replace uses are known in advance. */
    static final Instant NOW = Instant.parse("2026-12-02T15:20:30Z");

    @TempDir
    Path tmp;

    private record Backup(Repository repo, Envelope key, Manifest manifest) {
    }

    /** A backup of a database holding SCHEMA, and a live database (the one to replace) holding it and more. */
    private Backup backup(String name) throws Exception {
        DbCredentials source = PG.createDatabase(name);
        PG.psql(source.database(), SCHEMA);
        Repository repo = new FileRepository(tmp.resolve("repo"));
        Envelope key = Keys.open("file://" + tmp.resolve("keys/backup.key"), () -> {
            throw new AssertionError("no KMS for local keys");
        });
        BackupResult r = new BackupService(repo, key, PG.tools(), Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), source, "req", Deadline.NONE);
        return new Backup(repo, key, Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(r.backupId())))));
    }

    /** The database to replace: the backup's schema, changed since (rows, a table of its own), settings, grants, a comment. */
    private static DbCredentials live(String name) {
        DbCredentials live = PG.createDatabase(name);
        PG.psql(live.database(), SCHEMA + """
                INSERT INTO m1 VALUES (9999, '2027-03-01', 'written after the backup');
                UPDATE texts SET t = 'changed' WHERE id = 3;
                CREATE TABLE keepme (x int); INSERT INTO keepme VALUES (1);
                """);
        PG.psql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'swap_app') THEN CREATE ROLE swap_app; END IF; END $$");
        PG.psql("postgres", "ALTER DATABASE " + live.database() + " SET search_path = \"$user\", public, \"Odd, name\";"
                + "ALTER DATABASE " + live.database() + " SET work_mem = '7MB';"
                + "ALTER ROLE swap_app IN DATABASE " + live.database() + " SET statement_timeout = '5s';"
                + "REVOKE ALL ON DATABASE " + live.database() + " FROM PUBLIC;"
                + "GRANT CONNECT ON DATABASE " + live.database() + " TO swap_app;"
                + "COMMENT ON DATABASE " + live.database() + " IS 'the live one''s comment'");
        return live;
    }

    private static RestoreResult replace(Backup b, DbCredentials target) {
        return replace(b, target, RoleHandling.RESTORE);
    }

    private static RestoreResult replace(Backup b, DbCredentials target, RoleHandling roles) {
        return new RestoreService(b.repo(), b.key(), PG.tools(), Clock.fixed(NOW, ZoneOffset.UTC)).run(
                new RestoreRequest(Optional.of(b.manifest().backupId()), Optional.empty(), "postgresql://target",
                        Optional.of(target.database()), roles), target, Deadline.NONE);
    }

    private static String databases(String like) {
        return PG.psql("postgres", "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname LIKE '"
                + like + "%'").strip();
    }

    private static String before(DbCredentials db) {
        return db.database() + "_before_20261202t152030";
    }

    private static String fresh(DbCredentials db) {
        return db.database() + "_restore_20261202t152030";
    }

    /** The state of the database under this name, as a string: rows, tables, settings, privileges, comment. */
    private static String state(String database) {
        return PG.psql(database, "SELECT (SELECT count(*) FROM m1) || ' ' || (SELECT t FROM texts WHERE id = 3) || ' '"
                + " || (SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public')")
                .strip() + " " + settings(database);
    }

    private static String settings(String database) {
        return PG.psql("postgres", "SELECT (SELECT string_agg(coalesce(r.rolname, '-') || ':' || array_to_string(s.setconfig, ';'), ' '"
                + " ORDER BY r.rolname NULLS FIRST) FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole"
                + " WHERE s.setdatabase = d.oid) || ' ' || d.datacl::text || ' ' || shobj_description(d.oid, 'pg_database')"
                + " || ' ' || pg_get_userbyid(d.datdba) FROM pg_database d WHERE d.datname = '" + database + "'").strip();
    }

    /** A role that is no superuser, may connect to target and use its tables, has {@code attributes}, and may own target. */
    private static DbCredentials role(DbCredentials target, String name, String attributes, boolean owner) {
        String password = name + "-pw-" + System.nanoTime();
        PG.psql("postgres", "CREATE ROLE " + name + " LOGIN " + attributes + " PASSWORD '" + password + "';"
                + "GRANT CONNECT ON DATABASE " + target.database() + " TO " + name
                + (owner ? "; ALTER DATABASE " + target.database() + " OWNER TO " + name : ""));
        PG.psql(target.database(), "GRANT ALL ON SCHEMA public TO " + name + "; GRANT ALL ON ALL TABLES IN SCHEMA public TO " + name);
        return new DbCredentials(target.host(), target.port(), target.database(), name, password, null);
    }

    @Test
    void aDatabaseWithAPartitionedTableWithAPrimaryKeyIsReplacedAndTheOldOneKept() throws Exception {
        Backup b = backup("swap_src");
        DbCredentials target = live("swap_live");
        String settingsBefore = settings(target.database());
        String liveState = state(target.database());

        RestoreResult r = replace(b, target);

        assertTrue(r.replacedExisting());
        assertTrue(r.fingerprintsEqual());
        RestoreResult.Swap swap = r.swap();
        assertEquals(target.database(), swap.database());
        assertEquals(fresh(target), swap.restoredAs());
        assertEquals(before(target), swap.previousKeptAs());
        assertEquals(NOW, swap.swappedAt());
        assertTrue(swap.note().contains("kept as " + before(target) + " until an operator drops it"), swap.note());
        // the name now holds the backup's state, with the live database's own settings, privileges and comment
        assertEquals("400 text 3 m1,m1_2026,m1_2027,texts " + settingsBefore, state(target.database()));
        // the replaced database, untouched, under its new name
        assertEquals(liveState, state(before(target)));
        assertEquals(target.database() + "," + before(target), databases(target.database()));
        assertEquals(java.util.List.of("setting search_path", "setting work_mem", "setting statement_timeout of role swap_app",
                "privilege CONNECT to " + PG.admin().user(), "privilege CREATE to " + PG.admin().user(),
                "privilege TEMPORARY to " + PG.admin().user(), "privilege CONNECT to swap_app", "comment"),
                swap.carriedOver());
    }

    @Test
    void sessionsOnTheReplacedDatabaseAreTerminatedOnlyAtTheSwapAndReported() throws Exception {
        Backup b = backup("sess_src");
        DbCredentials target = live("sess_live");
        try (Connection app = SnapshotSession.connect(target); Statement s = app.createStatement()) {
            // an application session inside a transaction that holds a lock on a table the backup replaces
            app.setAutoCommit(false);
            s.execute("SET application_name = 'taskmaster-api'");
            s.executeQuery("SELECT count(*) FROM texts").close();
            int pid;
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }

            RestoreResult r = replace(b, target);

            // it was still connected when the swap began (so not terminated before), and the swap terminated it
            RestoreResult.Session ended = r.swap().terminatedSessions().stream().filter(x -> x.pid() == pid).findFirst()
                    .orElseThrow(() -> new AssertionError("session " + pid + " not reported: " + r.swap()));
            assertEquals("taskmaster-api", ended.applicationName());
            assertEquals(PG.admin().user(), ended.user());
            assertEquals(1, r.swap().terminatedSessions().size(), r.swap().toString());
            assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
        }
        assertTrue(state(target.database()).startsWith("400 text 3 m1,m1_2026,m1_2027,texts "), state(target.database()));
    }

    @Test
    void aProofFailureLeavesTheOriginalUntouchedAndDropsTheNewDatabase() throws Exception {
        Backup b = backup("proof_src");
        Path file = tmp.resolve("repo").resolve(Layout.manifest(b.manifest().backupId()).value());
        ObjectNode json = (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(file));
        for (var t : (ArrayNode) json.get("fingerprints").get("tables")) {
            if (t.get("name").asText().equals("texts")) {
                ((ObjectNode) t).put("digest", "0".repeat(63) + "1");
            }
        }
        Files.write(file, Json.MAPPER.writeValueAsBytes(json));
        Backup wrong = new Backup(b.repo(), b.key(), Manifest.fromJson(b.repo().read(Layout.manifest(b.manifest().backupId()))));
        DbCredentials target = live("proof_live");
        String liveState = state(target.database());

        var e = assertThrows(RestoreFailedException.class, () -> replace(wrong, target));

        assertTrue(e.getMessage().contains("public.texts: content differs with equal count"), e.getMessage());
        assertTrue(e.getMessage().contains(target.database() + " was left untouched under its name and the new database "
                + fresh(target) + " was dropped"), e.getMessage());
        assertEquals(liveState, state(target.database()));
        assertEquals(target.database(), databases(target.database()));
    }

    @Test
    void aNameAlreadyTakenIsRefusedBeforeAnythingIsTouched() throws Exception {
        Backup b = backup("clash_src");
        DbCredentials target = live("clash_live");
        PG.psql("postgres", "CREATE DATABASE " + before(target));
        String liveState = state(target.database());

        var e = assertThrows(RestoreFailedException.class, () -> replace(b, target));

        assertTrue(e.getMessage().contains("needs the name " + before(target) + " free (a database of that name exists"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("Nothing was changed"), e.getMessage());
        assertEquals(liveState, state(target.database()));
        assertEquals(target.database() + "," + before(target), databases(target.database()));
    }

    @Test
    void aRoleWithoutCreatedbOrOwnershipIsRefusedWithWhatItNeeds() throws Exception {
        Backup b = backup("role_src");
        DbCredentials target = live("role_live");
        DbCredentials plain = role(target, "swap_plain", "", false);
        String liveState = state(target.database());

        var e = assertThrows(RestoreFailedException.class, () -> replace(b, plain));

        assertTrue(e.getMessage().contains("the role swap_plain needs CREATEDB (ALTER ROLE \"swap_plain\" CREATEDB); ownership of "
                + target.database() + " (owned by " + PG.admin().user() + ": ALTER DATABASE \"" + target.database()
                + "\" OWNER TO \"swap_plain\", or membership in " + PG.admin().user() + ", or restore as a superuser); CREATEROLE, to carry over the settings of roles in " + target.database()
                + " (ALTER ROLE ... IN DATABASE ... SET). Nothing was changed"), e.getMessage());
        assertFalse(e.getMessage().contains(plain.password()));
        assertEquals(liveState, state(target.database()));
        assertEquals(target.database(), databases(target.database()));
    }

    @Test
    void aSwapThatCannotCompleteRenamesNothingAndDropsTheNewDatabase() throws Exception {
        // a role that owns the database and may create databases and roles, but is no superuser: it cannot end a
        // superuser's session
        Backup b = backup("busy_src");
        DbCredentials target = live("busy_live");
        DbCredentials owner = role(target, "swap_owner", "CREATEDB CREATEROLE", true);
        String liveState = state(target.database());
        try (Connection superuser = SnapshotSession.connect(target); Statement s = superuser.createStatement()) {
            s.execute("SET application_name = 'admin console'");

            // ownership skipped: the backup's objects belong to the superuser, which swap_owner cannot give objects to
            var e = assertThrows(RestoreFailedException.class, () -> replace(b, owner, RoleHandling.SKIP));

            assertTrue(e.getMessage().contains("cannot swap " + target.database() + " (to " + before(target) + ") and "
                    + fresh(target) + " (to " + target.database() + "): ERROR: database \"" + target.database()
                    + "\" is being accessed by other users"), e.getMessage());
            assertTrue(e.getMessage().contains("the new database " + fresh(target) + " was dropped"), e.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT current_database()")) { // the superuser's session lives on
                rs.next();
                assertEquals(target.database(), rs.getString(1));
            }
        }
        assertEquals(liveState, state(target.database()));
        assertEquals(target.database(), databases(target.database()));
    }

    @Test
    void whenTheSecondRenameFailsTheFirstIsUndone() throws Exception {
        DbCredentials target = PG.createDatabase("second_live");
        DbCredentials restored = PG.createDatabase("second_restored");
        SwapStatements sql = new SwapStatements(target.withDatabase("postgres"), target.database());
        try (Connection busy = SnapshotSession.connect(restored)) { // the restored database in use: its rename fails
            var e = assertThrows(RestoreFailedException.class, () -> sql.swap(restored.database(), target.database() + "_before", 1,
                    Deadline.NONE));
            assertTrue(e.getMessage().contains("database \"" + restored.database() + "\" is being accessed by other users"),
                    e.getMessage());
            assertTrue(busy.isValid(5));
        }
        assertEquals(target.database(), databases(target.database()));
        assertEquals(restored.database(), databases(restored.database()));
    }

    @Test
    void namesFitPostgresqlsSixtyThreeBytesCutAtWholeCharacters() {
        assertEquals("taskmaster_before_20261202t152030", ReplaceBySwap.DatabaseNames.beside("taskmaster", "before", NOW));
        String longName = "é".repeat(31) + "x"; // 63 bytes
        String cut = ReplaceBySwap.DatabaseNames.beside(longName, "restore", NOW);
        assertEquals("é".repeat(19) + "_restore_20261202t152030", cut);
        assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= 63);
        assertEquals("template1", ReplaceBySwap.DatabaseNames.maintenance("postgres"));
        assertEquals("postgres", ReplaceBySwap.DatabaseNames.maintenance("taskmaster"));
    }
}
