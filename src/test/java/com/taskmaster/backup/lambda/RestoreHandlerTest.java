package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.MotoServer;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.RestoreTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The restore handler as Lambda invokes it, against a real PostgreSQL: GIVEN backups of a source database in which a
 * role (since dropped) owned a table and held a grant, WHEN restoring by id or by time into fresh or non-empty
 * databases, THEN every table's row count equals the manifest's, roles are handled and reported, a non-empty
 * target needs its name as confirmation, and bad payloads or a bad backup change nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = RestoreTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreHandlerTest {
    private static Manifest first;
    private static Manifest second;

    private static Response invoke(String event) {
        return com.taskmaster.backup.testing.MockLambda.invoke(event);
    }

    private static synchronized void backups() throws Exception {
        if (first != null) {
            return;
        }
        first = backup();
        Thread.sleep(1100); // distinct backup times, and rows added between the two
        PostgresServer.get().psql(RestoreTestResource.source.database(),
                "INSERT INTO public.app_settings (key, value) SELECT 'k' || g, '\"v\"' FROM generate_series(1, 7) g");
        second = backup();
        // the role that owned a table and held a grant is gone by the time of the restore
        PostgresServer.get().psql(RestoreTestResource.source.database(), "REASSIGN OWNED BY " + RestoreTestResource.role
                + " TO " + PostgresServer.get().admin().user() + "; DROP OWNED BY " + RestoreTestResource.role);
        PostgresServer.get().psql("postgres", "DROP ROLE " + RestoreTestResource.role);
    }

    private static Manifest backup() throws IOException {
        FileRepository repo = new FileRepository(RestoreTestResource.repository);
        String id = new BackupService(repo, Keys.open("file://" + RestoreTestResource.key, () -> null), PostgresServer.get().tools(),
                Clock.systemUTC()).run(new BackupRequest(null, null, Trigger.manual()), RestoreTestResource.source, "t", Deadline.NONE).backupId();
        return Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(id))));
    }

    private static String url(DbCredentials db) {
        return "postgresql://" + db.user() + ":" + db.password() + "@" + db.host() + ":" + db.port() + "/" + db.database();
    }

    private static String relations(DbCredentials db) {
        return PostgresServer.get().psql(db.database(), "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN "
                + "('pg_catalog', 'information_schema')").strip();
    }

    private static long rows(DbCredentials db, String table) {
        return Long.parseLong(PostgresServer.get().psql(db.database(), "SELECT count(*) FROM " + table).strip());
    }

    @Test
    @Order(1)
    void aMissingRoleIsRefusedByNameAndSkipRestoresWithoutOwnersAndPrivileges() throws Exception {
        backups();
        DbCredentials target = PostgresServer.get().createDatabase("target");
        RestoreTestResource.alerts.receive(0);
        Response refused = invoke("{\"backupId\": \"" + second.backupId() + "\", \"target\": \"" + url(target) + "\"}");
        assertTrue(refused.statusCode() >= 400, refused.asString());
        assertTrue(refused.asString().contains("name roles that do not exist on the target: " + RestoreTestResource.role
                + "; nothing was changed"), refused.asString());
        assertEquals("0", relations(target));
        assertEquals(1, RestoreTestResource.alerts.receive(1).size());

        Response r = invoke("{\"backupId\": \"" + second.backupId() + "\", \"target\": \"" + url(target) + "\", \"roles\": \"skip\"}");
        r.then().statusCode(200);
        assertEquals(second.backupId().value(), r.jsonPath().getString("backupId"));
        assertEquals(second.tables().size(), r.jsonPath().getInt("tablesRestored"));
        assertTrue(r.jsonPath().getBoolean("fingerprintsEqual"));
        assertFalse(r.jsonPath().getBoolean("replacedExisting"));
        assertEquals(target.host() + ":" + target.port() + "/" + target.database(), r.jsonPath().getString("target"));
        assertFalse(r.asString().contains(target.password()), "no password in the result");
        // roles: the dropped role owned a table and held a grant; the restore skipped both and says so
        assertEquals("skip", r.jsonPath().getString("roles.handling"));
        assertTrue(r.jsonPath().getList("roles.ownersInBackup").contains(RestoreTestResource.role), r.asString());
        assertEquals(List.of(RestoreTestResource.role), r.jsonPath().getList("roles.missingOnTarget"));
        assertTrue(r.jsonPath().getInt("roles.privilegeEntries") >= 1, r.asString());
        assertFalse(r.jsonPath().getBoolean("roles.ownershipAndPrivilegesRestored"));
        assertEquals(PostgresServer.get().admin().user(), PostgresServer.get().psql(target.database(),
                "SELECT tableowner FROM pg_tables WHERE schemaname = 'taskmaster' AND tablename = 'tags'").strip());
        assertEquals(second.tables().stream().filter(t -> t.qualifiedName().equals("taskmaster.tasks")).findFirst().orElseThrow().rows(),
                rows(target, "taskmaster.tasks"));
    }

    @Test
    @Order(2)
    void atRestoresTheNewestBackupTakenAtOrBeforeThatTime() throws Exception {
        backups();
        DbCredentials target = PostgresServer.get().createDatabase("target");
        String at = first.startedAt().plus(Duration.between(first.startedAt(), second.startedAt()).dividedBy(2)).toString();
        Response r = invoke("{\"at\": \"" + at + "\", \"target\": \"" + url(target) + "\", \"roles\": \"skip\"}");
        r.then().statusCode(200);
        assertEquals(first.backupId().value(), r.jsonPath().getString("backupId"));
        assertEquals(at, r.jsonPath().getString("pointInTime.requested"));
        assertTrue(r.jsonPath().getString("pointInTime.granularity").startsWith("backup"), r.asString());
        long appSettings = first.tables().stream().filter(t -> t.qualifiedName().equals("public.app_settings")).findFirst()
                .orElseThrow().rows();
        assertEquals(appSettings, rows(target, "public.app_settings")); // the 7 rows added later are not there
    }

    @Test
    @Order(3)
    void aNonEmptyTargetIsRefusedUnlessConfirmedByName() throws Exception {
        backups();
        // the usual case: the damaged database, holding the backup's objects (here: the newer backup) and more
        DbCredentials target = PostgresServer.get().createDatabase("target");
        invoke("{\"backupId\": \"" + second.backupId() + "\", \"target\": \"" + url(target) + "\", \"roles\": \"skip\"}").then().statusCode(200);
        PostgresServer.get().psql(target.database(), "CREATE TABLE keepme (x int); INSERT INTO keepme VALUES (1)");
        String before = relations(target);
        String secret = MotoServer.get().secrets().createSecret(b -> b.name("restore-target-" + System.nanoTime())
                .secretString("{\"host\": \"" + target.host() + "\", \"port\": " + target.port() + ", \"username\": \""
                        + target.user() + "\", \"password\": \"" + target.password() + "\", \"dbname\": \"" + target.database() + "\"}"))
                .arn();
        RestoreTestResource.alerts.receive(0);
        for (String confirm : new String[] {"", ", \"confirm\": \"some_other_db\""}) {
            Response refused = invoke("{\"backupId\": \"" + first.backupId() + "\", \"target\": \"" + secret + "\"" + confirm + "}");
            assertTrue(refused.statusCode() >= 400, refused.asString());
            assertTrue(refused.asString().contains("is not empty ("), refused.asString());
            assertTrue(refused.asString().contains("nothing was changed"), refused.asString());
            assertTrue(refused.asString().contains("\\\"confirm\\\": \\\"" + target.database() + "\\\""), refused.asString());
            assertEquals(before, relations(target));
        }
        assertEquals(2, RestoreTestResource.alerts.receive(2).size());

        Response r = invoke("{\"backupId\": \"" + first.backupId() + "\", \"target\": \"" + secret + "\", \"confirm\": \""
                + target.database() + "\", \"roles\": \"skip\"}");
        r.then().statusCode(200);
        assertTrue(r.jsonPath().getBoolean("replacedExisting"));
        assertTrue(r.jsonPath().getBoolean("fingerprintsEqual"));
        assertEquals(1, rows(target, "public.keepme")); // objects not in the backup are left alone
        long appSettings = first.tables().stream().filter(x -> x.qualifiedName().equals("public.app_settings")).findFirst()
                .orElseThrow().rows();
        assertEquals(appSettings, rows(target, "public.app_settings")); // back to the older backup's rows
    }

    @Test
    @Order(4)
    void badPayloadsGetClearErrorsAndChangeNothing() throws Exception {
        backups();
        DbCredentials target = PostgresServer.get().createDatabase("target");
        String t = "\"target\": \"" + url(target) + "\"";
        RestoreTestResource.alerts.receive(0);
        List<String[]> cases = List.of(
                new String[] {"{\"backupId\": \"20200101T000000Z-manual-nothere\", " + t + "}", "no backup 20200101T000000Z-manual-nothere"},
                new String[] {"{\"backupId\": \"../../manifests/x\", " + t + "}", "invalid backup id"},
                new String[] {"{\"at\": \"yesterday\", " + t + "}", "invalid 'at': 'yesterday' is not an ISO-8601 UTC time"},
                new String[] {"{\"at\": \"2020-01-01T00:00:00Z\", " + t + "}", "no backup taken at or before 2020-01-01T00:00:00Z"},
                new String[] {"{\"backupId\": \"" + first.backupId() + "\", \"at\": \"2026-11-20T14:00:00Z\", " + t + "}", "exactly one of"},
                new String[] {"{\"backupId\": \"" + first.backupId() + "\"}", "missing 'target'"},
                new String[] {"{\"backupId\": \"" + first.backupId() + "\", \"target\": \"/etc/passwd\"}", "'target' must be"},
                new String[] {"{\"backupId\": \"" + first.backupId() + "\", \"target\": 5}", "field 'target' must be a string"},
                new String[] {"{\"backupld\": \"x\", " + t + "}", "unknown field 'backupld'"},
                new String[] {"{\"backupId\": \"" + first.backupId() + "\", " + t + ", \"roles\": \"ignore\"}", "invalid 'roles': 'ignore'"},
                new String[] {"{}", "restore needs a payload"});
        for (String[] c : cases) {
            Response r = invoke(c[0]);
            assertTrue(r.statusCode() >= 400, c[0] + " -> " + r.asString());
            assertTrue(r.asString().contains(c[1]), c[0] + " -> " + r.asString());
            assertFalse(r.asString().contains(target.password()), r.asString());
        }
        assertEquals("0", relations(target));
        List<JsonNode> alerts = RestoreTestResource.alerts.receive(cases.size());
        assertEquals(cases.size(), alerts.size());
        assertFalse(alerts.toString().contains(target.password()));
    }

    @Test
    @Order(5)
    void aBackupFailingItsChecksAtTheVeryEndCommitsNothing() throws Exception {
        backups();
        Manifest bad = backup();
        Path data = RestoreTestResource.repository.resolve(bad.data().key());
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length - 40] ^= 0x01; // in the last frame: detected only when the stream ends
        Files.write(data, bytes);
        DbCredentials target = PostgresServer.get().createDatabase("target");
        Response r = invoke("{\"backupId\": \"" + bad.backupId() + "\", \"target\": \"" + url(target) + "\", \"roles\": \"skip\"}");
        assertTrue(r.statusCode() >= 400, r.asString());
        assertTrue(r.asString().contains("restore of backup " + bad.backupId()), r.asString());
        assertTrue(r.asString().contains("nothing was committed"), r.asString());
        assertEquals("0", relations(target));
    }
}
