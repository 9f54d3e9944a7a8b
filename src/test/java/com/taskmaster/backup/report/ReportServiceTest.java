package com.taskmaster.backup.report;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.prune.PruneRequest;
import com.taskmaster.backup.prune.PruneService;
import com.taskmaster.backup.prune.RetentionPolicy;
import com.taskmaster.backup.report.ReadinessInput.Settings;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repositories;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.restoretest.RestoreTestRequest;
import com.taskmaster.backup.restoretest.RestoreTestService;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.MotoServer;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.verify.VerifyRequest;
import com.taskmaster.backup.verify.VerifyService;
import com.taskmaster.backup.verify.VerifySettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report command on file and S3 (moto) repositories holding real records: backups, a verification run, a restore
 * test and a prune run made by the real commands against the test PostgreSQL; and on an empty repository.
 */
class ReportServiceTest {
    static DbCredentials source;

    @TempDir
    Path tmp;

    @BeforeAll
    static void sampleDatabase() {
        source = PostgresServer.get().sampleDatabase("report", 0.2);
    }

    private Repository repository(String kind) {
        if (kind.equals("file")) {
            return new FileRepository(tmp.resolve("repo"));
        }
        return new S3Repository(MotoServer.get().s3(), AwsFixtures.bucket("report"), "backups/" + UUID.randomUUID(), 0);
    }

    private static ReportService service(Repository repo, Clock clock) {
        return new ReportService(Repositories.publishingUnder(repo, Layout.READINESS_REPORTS), Settings.defaults(), null, null, clock);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "s3"})
    void reportsWhatTheCommandsRecordedAndWritesTheDayAndLatest(String kind) {
        Repository repo = repository(kind);
        Envelope key = Keys.open("file://" + tmp.resolve("backup.key"), () -> null);
        BackupService backups = new BackupService(repo, key, PostgresServer.get().tools(), Clock.systemUTC());
        String first = null;
        String newest = null;
        for (int i = 0; i < 3; i++) {
            newest = backups.run(new BackupRequest(i == 0 ? "first-one" : null, null, Trigger.manual()), source, "b" + i, Deadline.NONE).backupId();
            first = first == null ? newest : first;
        }
        new VerifyService(repo, Optional.empty(), key, PostgresServer.get().tools(), Clock.systemUTC(), VerifySettings.of("6d", "26h", 0.5, 0.5))
                .run(new VerifyRequest(Optional.empty()), "verify-run", Deadline.NONE);
        new RestoreTestService(repo, new DatabaseRestore(repo, key, PostgresServer.get().tools(), Clock.systemUTC()),
                PostgresServer.scratch().admin(), List.of(source), List.of("SELECT true"), Duration.ofHours(4), Clock.systemUTC())
                .run(new RestoreTestRequest(Optional.empty()), Deadline.NONE);
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(5));
        new PruneService(repo, new RetentionPolicy(Duration.ofSeconds(1), 0, 0, 2, Duration.ZERO, 50, Duration.ofMinutes(10)), later)
                .run(new PruneRequest(false, "scheduled"), "prune-run", Deadline.NONE);

        ReportResult r = service(repo, later).run();

        ObjectKey day = Layout.readinessReport(later.instant());
        assertEquals(repo.uriOf(day), r.report());
        assertEquals(repo.uriOf(Layout.READINESS_LATEST), r.latest());
        byte[] page = repo.read(day);
        assertArrayEquals(page, repo.read(Layout.READINESS_LATEST));
        assertEquals(page.length, r.bytes());
        String html = new String(page, StandardCharsets.UTF_8);
        assertTrue(html.contains(newest), "the newest backup id");
        assertTrue(html.contains("RTO 4 h"), "the RTO");
        // prune deletes a pruned backup's verification records with it: the run's two surviving backups remain
        assertTrue(html.contains("all 2 backups passed"), "the verification run");
        assertTrue(html.contains("taskmaster.users"), "the restore test's tables, from the restored backup's manifest");
        assertFalse(html.contains("recorded no table"));
        assertEquals(source.database(), r.database());
        assertEquals(2, r.backups(), "one of three pruned");
        assertEquals(2, r.verifications(), "the pruned backup's record went with it");
        assertEquals(1, r.restoreTests());
        assertEquals(1, r.pruneRuns());
        assertEquals(List.of(), r.unreadable());
        assertTrue(r.ready() || r.failures().stream().allMatch(f -> f.startsWith("Capacity")), r.failures().toString());

        ReadinessInput in = new ReadinessInputs(repo).read(Settings.defaults(), null, null, later.instant()).input();
        String firstId = first;
        ReadinessInput.Backup pruned = in.backups().stream().filter(b -> b.id().equals(firstId)).findFirst().orElseThrow();
        assertNotNull(pruned.deletedAt(), "known from the prune audit record");
        assertEquals("first-one", pruned.label());
        assertTrue(pruned.plainBytes() > 0 && pruned.duration() != null, "the audit record keeps its plain size and duration");
        List<ReadinessInput.Backup> kept = in.backups().stream().filter(ReadinessInput.Backup::present).toList();
        assertEquals(2, kept.size());
        assertTrue(kept.stream().allMatch(b -> b.plainBytes() > 0 && b.duration() != null && b.tables() > 0 && b.storedBytes() > 0));
        ReadinessInput.RestoreTest test = in.restoreTests().get(0);
        assertTrue(test.passed() && test.restore() != null && test.estimatedFull() != null);
        assertTrue(test.tables().stream().allMatch(t -> t.equal() && t.restoredRows() != null && t.restoredRows() == t.expectedRows()));
        assertNull(test.peakMemoryBytes(), "not recorded by restore-test: left unknown");

        // a second run the same day replaces both pages; nothing outside reports/readiness/ was written
        int objects = repo.list("").size();
        service(repo, Clock.offset(later, Duration.ofSeconds(1))).run();
        assertEquals(objects, repo.list("").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "s3"})
    void anEmptyRepositoryGetsASensiblePage(String kind) {
        Repository repo = repository(kind);
        Instant now = Instant.parse("2026-12-02T10:00:00Z");
        ReportResult r = service(repo, Clock.fixed(now, ZoneOffset.UTC)).run();
        assertFalse(r.ready());
        assertFalse(r.capacityWarning());
        assertNull(r.daysUntilLimit());
        assertEquals(0, r.backups());
        assertEquals(repo.uriOf(ObjectKey.of("reports/readiness/2026-12-02.html")), r.report());
        String html = new String(repo.read(Layout.READINESS_LATEST), StandardCharsets.UTF_8);
        assertTrue(html.contains("no backup yet"));
        assertTrue(html.contains("✗ NOT READY"));
        assertFalse(html.contains("NaN") || html.contains("Infinity"));
        assertEquals(2, repo.list("").size(), "the day's page and latest.html, nothing else");
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "s3"})
    void unreadableRecordsAreSkippedAndNamed(String kind) {
        Repository repo = repository(kind);
        Instant now = Instant.parse("2026-12-02T10:00:00Z");
        com.taskmaster.backup.testing.Backups.put(repo, now.minus(Duration.ofHours(3)), "daily", null, 10);
        repo.putIfAbsent(ObjectKey.of("verifications/20261202T070000Z-daily/x.json"), "{not json".getBytes(StandardCharsets.UTF_8));
        repo.putIfAbsent(ObjectKey.of("reports/restore-test/20261202T080000Z-20261202T070000Z-daily.json"), "{}".getBytes(StandardCharsets.UTF_8));
        repo.putIfAbsent(ObjectKey.of("audit/prune/20261202T080000Z-r.json"), "[]".getBytes(StandardCharsets.UTF_8));
        ReportResult r = service(repo, Clock.fixed(now, ZoneOffset.UTC)).run();
        assertEquals(1, r.backups());
        assertEquals(3, r.unreadable().size(), r.unreadable().toString());
        assertTrue(r.unreadable().get(0).startsWith("reports/restore-test/"), r.unreadable().toString());
        assertTrue(new String(repo.read(Layout.READINESS_LATEST), StandardCharsets.UTF_8).contains("20261202T070000Z-daily"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "s3"})
    void theReportCannotWriteOutsideItsPrefix(String kind) {
        Repository repo = repository(kind);
        assertThrows(IllegalArgumentException.class, () -> new ReportService(Repositories.publishingUnder(repo, "manifests/"),
                Settings.defaults(), null, null, Clock.systemUTC()));
    }
}
