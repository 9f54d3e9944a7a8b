package com.taskmaster.backup.report;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.format.Verifications;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.prune.PruneReport;
import com.taskmaster.backup.report.ReadinessInput.Backup;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repositories;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.restoretest.RestoreTestReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A year of history written as the commands store it (manifests, verification records, restore-test reports, prune
 * audit records: ReadinessHistory's, in the stored formats) and read back by the report command: what it reads is what
 * was stored, and the page's size through the handler's path is measured (printed; docs/READINESS.md, "Size").
 */
class StoredHistoryTest {
    @TempDir
    Path tmp;

    /** Writes {@code in} into {@code repo} the way backup, verify, restore-test and prune store their records. */
    static void store(ReadinessInput in, Repository repo) {
        for (Backup b : in.backups()) {
            if (!b.present()) {
                continue; // prune deleted it: only its audit record remembers it
            }
            BackupId id = BackupId.parse(b.id());
            List<TableFingerprint> tables = ReadinessHistory.TABLES.stream()
                    .map(t -> new TableFingerprint(t[0], t[1], Math.max(3, b.plainBytes() / 180 / ReadinessHistory.TABLES.size()))).toList();
            repo.putIfAbsent(Layout.manifest(id), new Manifest(Manifest.FORMAT_VERSION, id,
                    new Manifest.Database(in.database(), "db.example", 5432, "15.8"), "15.8", b.takenAt(), b.takenAt().plus(b.duration()),
                    new Manifest.DataObject(Layout.data(id, "a1").value(), b.plainBytes(), b.storedBytes(), "0".repeat(64)),
                    new Manifest.Compression("zstd", 2), new Manifest.Encryption("aws-encryption-sdk", "ALG", 65536, "aws-kms", "k", Map.of()),
                    tables, b.label(), null, b.schedule().equals("manual") ? Trigger.manual() : new Trigger(Trigger.SCHEDULED, b.schedule(), b.takenAt(), null),
                    "r").toJson());
        }
        for (ReadinessInput.Verification v : in.verifications()) {
            Verifications.record(repo, new com.taskmaster.backup.format.Verification(BackupId.parse(v.backupId()), v.verifiedAt(),
                    com.taskmaster.backup.format.Verification.Outcome.valueOf(v.outcome()), v.reason(), 11, v.replica(), List.of(),
                    v.durationMs(), v.requestId()));
        }
        for (ReadinessInput.RestoreTest t : in.restoreTests()) {
            RestoreTestReport r = new RestoreTestReport(t.passed() ? "passed" : "failed", t.failures(), t.backupId(), null, true, "rt:5432",
                    "tmb_restore_test_x", t.startedAt(), t.tables().size(), t.fingerprintsEqual(), null, List.of(),
                    t.restore().toMillis(), t.plainBytes(), null, null, null, t.estimatedFull().toString(), "PT4H", true, true, List.of(),
                    null, in.database(), null, List.of());
            repo.putIfAbsent(Layout.restoreTestReport(t.startedAt(), BackupId.parse(t.backupId()), "json"), r.toJson());
        }
        int n = 0;
        Map<String, Backup> byId = new java.util.HashMap<>();
        in.backups().forEach(b -> byId.put(b.id(), b));
        for (ReadinessInput.PruneRun p : in.pruneRuns()) {
            List<PruneReport.Entry> kept = p.kept().stream().map(e -> new PruneReport.Entry(e.backupId(), e.takenAt(), e.storedBytes(), e.label(), e.reasons())).toList();
            List<PruneReport.Entry> deleted = p.deleted().stream().map(e -> {
                Backup b = byId.get(e.backupId());
                return new PruneReport.Entry(e.backupId(), e.takenAt(), e.storedBytes(), e.label(), e.reasons(), b.plainBytes(), b.duration().toMillis());
            }).toList();
            PruneReport r = new PruneReport("run" + n, p.dryRun(), "scheduled", "r", in.repository(), p.at(), "policy", p.interlocks(),
                    kept.size() + deleted.size(), kept.size(), deleted.size(), 0, kept, deleted, List.of(),
                    new PruneReport.Leftovers(List.of(), List.of(), List.of()), List.of(), List.of(), List.of(), null);
            repo.putIfAbsent(Layout.pruneAudit(p.at(), "run" + n++), com.taskmaster.backup.support.Json.toString(r).getBytes());
        }
    }

    @Test
    void aYearOfDailyBackupsIsReadBackAsStoredAndItsPageMeasured() throws Exception {
        measure(false);
    }

    @Test
    void aYearOfDailyAndHourlyBackupsIsReadBackAsStoredAndItsPageMeasured() throws Exception {
        measure(true);
    }

    private void measure(boolean hourly) throws Exception {
        ReadinessHistory history = ReadinessHistory.year();
        history.hourly = hourly;
        ReadinessInput stored = history.build();
        Repository repo = new FileRepository(tmp.resolve("repo"));
        store(stored, repo);

        ReadinessInput.Settings settings = ReadinessInput.Settings.defaults().withRpo(stored.settings().rpo());
        ReadinessInput read = new ReadinessInputs(repo).read(settings, "s3://taskmaster-replica-123456789012/backups", null, history.now).input();
        assertEquals(stored.backups().stream().filter(Backup::present).map(b -> b.id() + " " + b.plainBytes() + " " + b.storedBytes()).toList(),
                read.backups().stream().filter(Backup::present).map(b -> b.id() + " " + b.plainBytes() + " " + b.storedBytes()).toList());
        assertEquals(stored.backups().stream().filter(b -> !b.present()).map(b -> b.id() + " " + b.plainBytes() + " " + b.duration()).sorted().toList(),
                read.backups().stream().filter(b -> !b.present()).map(b -> b.id() + " " + b.plainBytes() + " " + b.duration()).sorted().toList(),
                "deleted backups, with plain size and duration, from the prune audit");
        assertEquals(stored.verifications().size(), read.verifications().size());
        assertEquals(stored.restoreTests().stream().map(ReadinessInput.RestoreTest::startedAt).toList(),
                read.restoreTests().stream().map(ReadinessInput.RestoreTest::startedAt).toList());
        assertEquals(stored.pruneRuns().size(), read.pruneRuns().size());
        assertEquals(hourly, read.settings().schedules().contains(ReadinessInput.Schedule.hourlyBackup()), "hourly schedule inferred");
        assertEquals(1, read.replica().identical() > 0 ? 1 : 0);

        ReportResult r = new ReportService(Repositories.publishingUnder(repo, Layout.READINESS_REPORTS), settings,
                "s3://taskmaster-replica-123456789012/backups", null, Clock.fixed(history.now, ZoneOffset.UTC)).run();
        Path page = Path.of(r.report().substring("file://".length()));
        Path copy = Path.of("target", "readiness-stored-" + (hourly ? "daily-hourly" : "daily") + ".html");
        Files.copy(page, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.printf("readiness report through the report command, a year of %s backups (%d present, %d deleted, %d verification "
                        + "records, %d restore tests, %d prune runs): %,d bytes -> %s%n", hourly ? "daily and hourly" : "daily",
                r.backups(), read.backups().size() - r.backups(), r.verifications(), r.restoreTests(), r.pruneRuns(), r.bytes(),
                copy.toAbsolutePath());
        assertTrue(r.bytes() < 150_000, "the page stays small: " + r.bytes());
        assertTrue(Files.readString(page).contains(stored.backups().stream().filter(Backup::present).reduce((a, b) -> b).orElseThrow().id()));
    }
}
