package com.taskmaster.backup.restoretest;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.ScratchDatabases;
import com.taskmaster.backup.format.SmokeQueries;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.InvalidRequestException;
import com.taskmaster.backup.testing.Manifests;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * restore-test's refusals and failure paths against a real PostgreSQL: the source database is refused before anything
 * is created; a failing smoke query and a missed RTO fail the run; the scratch database is dropped on every path, and
 * those a crashed run left behind are cleaned up.
 */
class RestoreTestServiceTest {
    static DbCredentials source;

    @TempDir
    Path tmp;
    Repository repo;
    Envelope key;
    Manifest backup;

    @BeforeAll
    static void sampleDatabase() {
        source = PostgresServer.get().sampleDatabase("rtsvc", 0.2);
    }

    @BeforeEach
    void oneBackup() throws IOException {
        repo = new FileRepository(tmp.resolve("repo"));
        key = Keys.open("file://" + tmp.resolve("backup.key"), () -> null);
        String id = new BackupService(repo, key, PostgresServer.get().tools(), Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), source, "r", Deadline.NONE).backupId();
        backup = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(id))));
    }

    RestoreTestService service(DbCredentials server, List<String> smoke, Duration rto) {
        return new RestoreTestService(repo, new DatabaseRestore(repo, key, PostgresServer.get().tools(), Clock.systemUTC()),
                server, List.of(source), smoke, rto, Clock.systemUTC());
    }

    static String scratchDatabases() {
        return PostgresServer.scratch().psql("postgres", "SELECT coalesce(string_agg(datname, ','), '') FROM pg_database "
                + "WHERE datname LIKE 'tmb_restore_test_%'").strip();
    }

    @Test
    void theSourceDatabaseIsRefusedBeforeAnythingIsCreated() {
        var e = assertThrows(RestoreTestFailedException.class,
                () -> service(source, List.of(), Duration.ofHours(4)).run(new RestoreTestRequest(Optional.empty()), Deadline.NONE));
        assertTrue(e.getMessage().contains("it is the source database's server"), e.getMessage());
        // the same server under another name is still the same database
        DbCredentials viaLocalhost = new DbCredentials("localhost", source.port(), source.database(), source.user(),
                source.password(), source.sslmode());
        assertThrows(RestoreTestFailedException.class, () -> service(viaLocalhost, List.of(), Duration.ofHours(4)).run(new RestoreTestRequest(Optional.empty()), Deadline.NONE));
        assertEquals("", scratchDatabases());
        assertEquals(0, repo.list(Layout.RESTORE_TEST_REPORTS).size());
    }

    @Test
    void theSourceServersMaintenanceDatabaseIsRefusedAndNothingIsCreatedOrDroppedThere() {
        // a database on the production server that merely looks like an old scratch database
        PostgresServer.get().psql("postgres", "CREATE DATABASE tmb_restore_test_20200101t000000_prod");
        try {
            var e = assertThrows(RestoreTestFailedException.class, () -> service(PostgresServer.get().admin(), List.of(),
                    Duration.ofHours(4)).run(new RestoreTestRequest(Optional.empty()), Deadline.NONE));
            assertTrue(e.getMessage().contains("it is the source database's server (" + source.host() + ":" + source.port()),
                    e.getMessage());
            assertEquals("tmb_restore_test_20200101t000000_prod", PostgresServer.get().psql("postgres",
                    "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'tmb_restore_test_%'").strip());
        } finally {
            PostgresServer.get().psql("postgres", "DROP DATABASE tmb_restore_test_20200101t000000_prod");
        }
    }

    @Test
    void theSourceClusterUnderAnotherNameIsRefusedByItsSystemIdentifier() {
        DbCredentials elsewhere = new DbCredentials("restore-test.example", 5999, "postgres", "u", "restore-test-example-pw", null);
        var e = assertThrows(RestoreTestFailedException.class, () -> RestoreTestPlan.plan(List.of(backup), Map.of(),
                Optional.empty(), elsewhere, backup.database().systemIdentifier(), List.of(), Instant.now()));
        assertTrue(e.getMessage().contains("it is the source database's cluster (system identifier "
                + backup.database().systemIdentifier()), e.getMessage());
        assertEquals(backup, RestoreTestPlan.plan(List.of(backup), Map.of(), Optional.empty(), elsewhere, "42", List.of(),
                Instant.now()).backup());
    }

    @Test
    void aFailingSmokeQueryFailsTheRunAndTheScratchDatabaseIsStillDropped() {
        var e = assertThrows(RestoreTestFailedException.class, () -> service(PostgresServer.scratch().admin(),
                List.of("SELECT true", "SELECT count(*) = 0 FROM taskmaster.users", "SELECT nonsense"), Duration.ofHours(4))
                .run(new RestoreTestRequest(Optional.empty()), Deadline.NONE));
        assertTrue(e.getMessage().contains("smoke query failed: SELECT count(*) = 0 FROM taskmaster.users: returned false"), e.getMessage());
        assertTrue(e.getMessage().contains("smoke query failed: SELECT nonsense"), e.getMessage());
        assertEquals("", scratchDatabases());
        assertEquals(2, repo.list(Layout.RESTORE_TEST_REPORTS).size()); // JSON and text summary
    }

    @Test
    void aMissedRtoFailsTheRun() {
        var e = assertThrows(RestoreTestFailedException.class,
                () -> service(PostgresServer.scratch().admin(), List.of(), Duration.ofMillis(1)).run(new RestoreTestRequest(Optional.empty()), Deadline.NONE));
        assertTrue(e.getMessage().contains("the RTO of PT0.001S would be missed"), e.getMessage());
        assertEquals("", scratchDatabases());
    }

    @Test
    void aRunOutOfTimeFailsSaysWhyAndStillDropsTheScratchDatabaseAndReportsBeforeTheDeadline() throws IOException {
        // the restore takes well under a second; the first smoke query would pass, but only after the invocation's deadline
        Instant deadline = Instant.now().plusSeconds(45);
        var e = assertThrows(RestoreTestFailedException.class, () -> service(PostgresServer.scratch().admin(),
                List.of("SELECT true FROM pg_sleep(50)", "SELECT true"), Duration.ofHours(4)).run(new RestoreTestRequest(Optional.empty()), Deadline.at(deadline)));
        Instant returned = Instant.now();
        assertEquals("", scratchDatabases());
        assertTrue(returned.isBefore(deadline), "returned at " + returned + ", the deadline was " + deadline);
        assertTrue(e.getMessage().contains("ran out of time: smoke query SELECT true FROM pg_sleep(50)"), e.getMessage());
        assertTrue(e.getMessage().contains("ran out of time: smoke query SELECT true not run"), e.getMessage());
        RestoreTestReport r = e.report().orElseThrow();
        assertEquals("failed", r.outcome());
        assertTrue(r.scratchDropped());
        assertTrue(r.fingerprintsEqual()); // the restore itself finished in time
        assertEquals(List.of(false, false), r.smokeQueries().stream().map(SmokeQueries.Outcome::passed).toList());
        assertEquals(Boolean.TRUE, r.smokeQueries().get(1).notRun());
        assertTrue(r.failures().stream().allMatch(f -> f.startsWith("ran out of time: ")), r.failures().toString());
        var written = repo.list(Layout.RESTORE_TEST_REPORTS);
        assertEquals(2, written.size()); // JSON and text summary
        String json = new String(repo.read(written.stream().filter(i -> i.key().value().endsWith(".json")).findFirst().orElseThrow().key()));
        assertTrue(json.contains("\"outcome\" : \"failed\"") && json.contains("ran out of time: smoke query SELECT true FROM pg_sleep(50)"), json);
        String summary = new String(repo.read(written.stream().filter(i -> i.key().value().endsWith(".txt")).findFirst().orElseThrow().key()));
        assertTrue(summary.contains("smoke queries: 0/2 passed (1 not run: out of time)"), summary);
    }

    @Test
    void tooLittleTimeToStartFailsTheRunBeforeCreatingAnythingAndStillReports() {
        Instant deadline = Instant.now().plusSeconds(20); // past the margin: nothing new starts
        var e = assertThrows(RestoreTestFailedException.class,
                () -> service(PostgresServer.scratch().admin(), List.of("SELECT true"), Duration.ofHours(4)).run(new RestoreTestRequest(Optional.empty()), Deadline.at(deadline)));
        assertTrue(e.getMessage().contains("ran out of time: the attempt to create scratch database tmb_restore_test_"), e.getMessage());
        assertEquals("", scratchDatabases());
        RestoreTestReport r = e.report().orElseThrow();
        assertTrue(r.scratchDropped());
        assertEquals(null, r.restoreMs());
        assertEquals(2, repo.list(Layout.RESTORE_TEST_REPORTS).size());
    }

    @Test
    void scratchDatabasesLeftByACrashedRunAreDroppedAndOnlyThose() {
        PostgresServer pg = PostgresServer.scratch();
        pg.psql("postgres", "CREATE DATABASE tmb_restore_test_20200101t000000_abcd");
        pg.psql("postgres", "COMMENT ON DATABASE tmb_restore_test_20200101t000000_abcd IS '"
                + ScratchDatabases.marker("tmb_restore_test_20200101t000000_abcd") + "'"); // what a crashed run left
        pg.psql("postgres", "CREATE DATABASE tmb_restore_test_20200101t000000_else"); // someone else's, by name alone
        try {
            RestoreTestReport r = service(pg.admin(), List.of("SELECT true"), Duration.ofHours(4)).run(new RestoreTestRequest(Optional.empty()), Deadline.NONE);
            assertTrue(r.passed(), r.failures().toString());
            assertFalse(r.verified());
            assertEquals(List.of("tmb_restore_test_20200101t000000_abcd"), r.leftoversDropped());
            assertEquals("tmb_restore_test_20200101t000000_else", scratchDatabases());
        } finally {
            pg.psql("postgres", "DROP DATABASE IF EXISTS tmb_restore_test_20200101t000000_else");
        }
    }

    @Test
    void planPrefersTheNewestVerifiedBackup() {
        Manifest d1 = Manifests.manifest("20261126T020000Z-daily", 1);
        Manifest d2 = Manifests.manifest("20261127T020000Z-daily", 1);
        Manifest d3 = Manifests.manifest("20261128T020000Z-daily", 1);
        Instant now = Instant.parse("2026-11-28T12:00:00Z");
        Map<BackupId, Verification> latest = Map.of(
                d1.backupId(), new Verification(d1.backupId(), now, Verification.Outcome.passed, null, 1, null, List.of(), 1, "r"),
                d3.backupId(), new Verification(d3.backupId(), now, Verification.Outcome.failed, "x", 1, null, List.of(), 1, "r"));
        DbCredentials server = PostgresServer.scratch().admin();
        RestoreTestPlan plan = RestoreTestPlan.plan(List.of(d3, d2, d1), latest, Optional.empty(), server, null, List.of(), now);
        assertEquals(d1, plan.backup());
        assertTrue(plan.verified());
        assertTrue(plan.scratchDatabase().matches("tmb_restore_test_20261128t120000_[a-z0-9]{4}"), plan.scratchDatabase());
        assertEquals(d2, RestoreTestPlan.plan(List.of(d3, d2, d1), latest, Optional.of(d2.backupId()), server, null, List.of(), now).backup());
        RestoreTestPlan none = RestoreTestPlan.plan(List.of(d3, d2), latest, Optional.empty(), server, null, List.of(), now);
        assertEquals(d3, none.backup());
        assertFalse(none.verified());
        assertEquals(List.of("tmb_restore_test_20261126t000000_abcd"), RestoreTestPlan.leftovers(List.of("postgres",
                "tmb_restore_test_20261126t000000_abcd", "tmb_restore_test_20261128t110000_abcd", "tmb_restore_test_x"), now));
    }

    @Test
    void inARepositoryMixingDatabasesTheConfiguredSourcesBackupsAreTestedAndOtherwiseTheRunIsRefused() {
        Manifest.Database prod = new Manifest.Database("taskmaster", "prod.example", 5432, "15.8", "7001");
        Manifest.Database staging = new Manifest.Database("taskmaster", "staging.example", 5432, "15.8", "7002");
        Manifest p1 = Manifests.manifest("20261127T020000Z-daily", prod, 1);
        Manifest s1 = Manifests.manifest("20261127T030000Z-daily", staging, 1);
        Manifest p2 = Manifests.manifest("20261128T020000Z-daily", prod, 1);
        Manifest s2 = Manifests.manifest("20261128T030000Z-daily", staging, 1);
        List<Manifest> newestFirst = List.of(s2, p2, s1, p1);
        Instant now = Instant.parse("2026-11-28T12:00:00Z");
        Map<BackupId, Verification> latest = Map.of(
                p1.backupId(), new Verification(p1.backupId(), now, Verification.Outcome.passed, null, 1, null, List.of(), 1, "r"),
                s2.backupId(), new Verification(s2.backupId(), now, Verification.Outcome.passed, null, 1, null, List.of(), 1, "r"));
        DbCredentials server = PostgresServer.scratch().admin();
        DbCredentials prodSource = new DbCredentials("PROD.example", 5432, "taskmaster", "app", "not-this-Password-7", "disable");
        assertEquals(p1, RestoreTestPlan.plan(newestFirst, latest, Optional.empty(), server, null, List.of(prodSource), now).backup(),
                "the newest verified backup of the configured source, not the other database's newer one");
        var e = assertThrows(InvalidRequestException.class,
                () -> RestoreTestPlan.plan(newestFirst, latest, Optional.empty(), server, null, List.of(), now));
        assertTrue(e.getMessage().contains("2 databases") && e.getMessage().contains("backupId"), e.getMessage());
        assertEquals(s1, RestoreTestPlan.plan(newestFirst, latest, Optional.of(s1.backupId()), server, null, List.of(), now).backup());
    }
}
