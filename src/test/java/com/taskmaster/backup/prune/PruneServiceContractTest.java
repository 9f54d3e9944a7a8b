package com.taskmaster.backup.prune;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.repository.LockState;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ObjectWriter;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.testing.Backups;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PruneService against a real repository (file, S3 on moto). Backups are real manifests and small data objects
 * written through the Repository; no database is needed. The service's clock runs three days ahead of the
 * wall clock, so everything written by the test is "older than a day" for leftover purposes, unless the
 * backup id in its key says otherwise.
 */
abstract class PruneServiceContractTest {
    static final Instant NOW = Instant.now().plus(Duration.ofDays(3)).truncatedTo(ChronoUnit.SECONDS);
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    protected Repository repo;

    /** A fresh, empty repository. */
    protected abstract Repository newRepository();

    /** A second repository sharing the first one's store (same bucket or parent directory) under another prefix. */
    protected abstract Repository neighbour();

    /** How many random histories the property test runs (S3 is slower). */
    protected abstract int randomHistories();

    /** Puts an object into {@link #repo} behind its back, under a key {@link ObjectKey} may refuse (a stray file). */
    protected abstract void putForeign(String relativeKey, byte[] content);

    @BeforeEach
    void setUp() {
        repo = newRepository();
    }

    static PruneService service(Repository repo, RetentionPolicy policy) {
        return new PruneService(repo, policy, CLOCK);
    }

    /** The service {@code minutes} minutes after NOW (runs at distinct times, so their audit records sort in run order). */
    static PruneService service(Repository repo, RetentionPolicy policy, int minutes) {
        return new PruneService(repo, policy, Clock.fixed(NOW.plus(Duration.ofMinutes(minutes)), ZoneOffset.UTC));
    }

    static Manifest manifest(BackupId id, Instant time, String label, String dataKey, long size) {
        return Backups.manifest(id, time, label, dataKey, size);
    }

    /** A complete backup: a data object, then its manifest. */
    static BackupId put(Repository repo, Instant time, String schedule, String label) {
        return Backups.put(repo, time, schedule, label, 100 + (int) (time.getEpochSecond() % 50));
    }

    /** Daily at 02:00 for {@code days} days before NOW, hourly for the last six hours. */
    static List<BackupId> history(Repository repo, int days) {
        List<BackupId> ids = new ArrayList<>();
        Instant today = NOW.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(2));
        for (int d = 1; d <= days; d++) {
            ids.add(put(repo, today.minus(Duration.ofDays(d)), "daily", null));
        }
        for (int h = 1; h <= 6; h++) {
            ids.add(put(repo, NOW.minus(Duration.ofHours(h)).truncatedTo(ChronoUnit.HOURS), "hourly", null));
        }
        return ids;
    }

    /** Every object key and pending write, for before/after comparisons. */
    static Set<String> everything(Repository repo) {
        Set<String> all = repo.list("").stream().map(i -> i.key().value()).collect(Collectors.toSet());
        repo.pendingWrites().forEach(w -> all.add("pending:" + w.key() + ":" + w.handle()));
        return all;
    }

    static Set<String> nonAudit(Repository repo) {
        return everything(repo).stream().filter(k -> !k.startsWith(Layout.PRUNE_AUDIT)).collect(Collectors.toSet());
    }

    @Test
    void twoDatabasesInOneRepositoryAreRetainedEachOnItsOwn() throws IOException {
        // Daily backups of production (02:00) and staging (03:00) in one repository, from before namespaces existed.
        Instant today = NOW.truncatedTo(ChronoUnit.DAYS);
        Manifest.Database staging = new Manifest.Database("staging", "staging.example", 5432, "15.8", "7300000000000000002");
        List<BackupId> prod = new ArrayList<>();
        for (int d = 1; d <= 20; d++) {
            prod.add(put(repo, today.minus(Duration.ofDays(d)).plus(Duration.ofHours(2)), "daily", null));
            BackupId s = BackupId.scheduled(today.minus(Duration.ofDays(d)).plus(Duration.ofHours(3)), "staging");
            Manifest m = manifest(s, s.time(), null, Layout.data(s, "a1").value(), 100);
            repo.putIfAbsent(Layout.data(s, "a1"), new byte[100]);
            repo.putIfAbsent(Layout.manifest(s), new Manifest(m.formatVersion(), s, staging, m.pgDumpVersion(), m.startedAt(),
                    m.finishedAt(), m.data(), m.compression(), m.encryption(), m.tables(), null, null, m.trigger(), null).toJson());
        }
        PruneReport r = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(true, "manual"), "req-1", Deadline.NONE);
        List<String> deletedProd = r.deleted().stream().map(PruneReport.Entry::backupId)
                .filter(id -> prod.contains(BackupId.parse(id))).toList();
        assertEquals(List.of(), deletedProd, "staging's backups took production's daily slots");
        assertEquals(0, r.deletedCount(), "each database keeps its 20 dailies (30-day daily rule)");
    }

    @Test
    void dryRunReturnsThePlanAndChangesNothing() {
        history(repo, 45);
        Set<String> before = everything(repo);
        PruneReport r = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(true, "manual"), "req-1", Deadline.NONE);
        assertTrue(r.dryRun());
        assertTrue(r.deletedCount() > 0, "something to delete");
        assertEquals(r.backupsBefore(), r.keptCount() + r.deletedCount());
        assertEquals(before, everything(repo), "a dry run changes nothing, not even the audit trail");
        assertEquals(null, r.audit());
    }

    @Test
    void realRunDeletesManifestsAndDataOfExactlyThePlannedBackupsAndAppendsAnAuditRecord() throws IOException {
        history(repo, 45);
        PruneReport dry = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(true, "manual"), "req-0", Deadline.NONE);
        PruneReport r = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "scheduled:daily"), "req-1", Deadline.NONE);
        assertEquals(dry.deleted().stream().map(PruneReport.Entry::backupId).toList(),
                r.deleted().stream().map(PruneReport.Entry::backupId).toList(), "the dry run showed what the real run did");
        assertEquals(r.deleted().stream().mapToLong(PruneReport.Entry::storedBytes).sum(), r.bytesFreed());
        for (PruneReport.Entry e : r.deleted()) {
            BackupId id = BackupId.parse(e.backupId());
            assertTrue(repo.stat(Layout.manifest(id)).isEmpty(), "manifest of " + id);
            assertTrue(repo.stat(Layout.data(id, "a1")).isEmpty(), "data of " + id);
            assertTrue(repo.stat(Layout.roles(id, "a1")).isEmpty(), "roles object of " + id);
        }
        List<Manifest> left = new Catalog(repo).list().backups();
        assertEquals(r.keptCount(), left.size());
        for (Manifest m : left) {
            assertTrue(repo.stat(ObjectKey.of(m.data().key())).isPresent(), "data of kept " + m.backupId());
            assertTrue(repo.stat(ObjectKey.of(m.roles().object().key())).isPresent(), "roles object of kept " + m.backupId());
        }
        List<ObjectInfo> audits = repo.list(Layout.PRUNE_AUDIT);
        assertEquals(1, audits.size());
        JsonNode audit = Json.MAPPER.readTree(repo.read(audits.get(0).key()));
        assertEquals("scheduled:daily", audit.get("trigger").asText());
        assertEquals("req-1", audit.get("requestId").asText());
        assertEquals(r.deletedCount(), audit.get("deleted").size());
        assertTrue(audit.get("deleted").get(0).get("reasons").size() > 0);
        assertEquals(repo.uriOf(audits.get(0).key()), r.audit());
    }

    /**
     * Catalog indexes (issue 9, item 9): prune plans from the newest index exactly as from the manifests, deletes the
     * indexes older than the newest (a dry run none), and never deletes a backup for what a forged index copy of it says.
     */
    @Test
    void pruneUsesTheNewestIndexDeletesOlderOnesAndRefusesAForgedCopy() {
        history(repo, 45);
        PruneReport withoutIndex = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(true, "manual"), "d0", Deadline.NONE);
        ObjectKey older = Catalog.writeIndex(repo, NOW.minus(Duration.ofMinutes(2)), 1).orElseThrow();
        put(repo, NOW.minus(Duration.ofMinutes(30)), "manual-x", null);
        ObjectKey newer = Catalog.writeIndex(repo, NOW.minus(Duration.ofMinutes(1)), 1).orElseThrow();
        PruneReport dry = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(true, "manual"), "d1", Deadline.NONE);
        assertEquals(withoutIndex.deleted().stream().map(PruneReport.Entry::backupId).toList(),
                dry.deleted().stream().map(PruneReport.Entry::backupId).toList(), "the same plan from the index");
        assertEquals(List.of(), dry.foreign(), "indexes are not foreign objects");
        assertTrue(repo.stat(older).isPresent(), "a dry run deletes no index");

        // A forged copy of a backup prune would delete: same size, its own digest, so the catalog serves it.
        BackupId victim = BackupId.parse(dry.deleted().get(0).backupId());
        ObjectKey forgedIndex = Backups.forgeIndexCopy(repo, victim, manifest(victim, victim.time(), null, "data/x", 1), NOW);
        Set<String> before = nonAudit(repo);
        PruneAbortedException refused = assertThrows(PruneAbortedException.class,
                () -> service(repo, RetentionPolicy.DEFAULTS, 1).run(new PruneRequest(false, "manual"), "r1", Deadline.NONE));
        assertTrue(String.join("; ", refused.report().interlocks()).contains("differs from its copy in the catalog index"),
                refused.report().interlocks().toString());
        assertEquals(before, nonAudit(repo), "nothing deleted, no index either");

        repo.delete(forgedIndex);
        PruneReport r = service(repo, RetentionPolicy.DEFAULTS, 2).run(new PruneRequest(false, "manual"), "r2", Deadline.NONE);
        assertEquals(dry.deleted().size(), r.deletedCount());
        assertTrue(repo.stat(older).isEmpty(), "the older index is deleted");
        assertTrue(repo.stat(newer).isPresent(), "the newest index is kept");
        assertEquals(r.keptCount(), new Catalog(repo).list().backups().size());
    }

    @Test
    void aSecondRunDeletesNothingMore() {
        history(repo, 60);
        PruneService s = service(repo, RetentionPolicy.DEFAULTS);
        assertTrue(s.run(new PruneRequest(false, "manual"), "r1", Deadline.NONE).deletedCount() > 0);
        Set<String> after = nonAudit(repo);
        PruneReport second = s.run(new PruneRequest(false, "manual"), "r2", Deadline.NONE);
        assertEquals(0, second.deletedCount());
        assertEquals(0, second.bytesFreed());
        assertEquals(after, nonAudit(repo));
        assertEquals(2, repo.list(Layout.PRUNE_AUDIT).size(), "one audit record per real run, appended");
    }

    @Test
    void interlocksAbortBeforeDeletingAnythingAndAreAudited() {
        PruneAbortedException empty = assertThrows(PruneAbortedException.class,
                () -> service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r", Deadline.NONE));
        assertTrue(empty.getMessage().contains("listing is empty"), empty.getMessage());

        Instant old = NOW.minus(Duration.ofDays(400));
        for (int i = 0; i < 10; i++) {
            put(repo, old.plus(Duration.ofDays(i)), "daily", null);
        }
        ObjectKey orphan = Layout.data(BackupId.scheduled(old, "orphan"), "x");
        repo.putIfAbsent(orphan, new byte[10]);
        Set<String> before = nonAudit(repo);
        PruneAbortedException tooMany = assertThrows(PruneAbortedException.class,
                () -> service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r", Deadline.NONE));
        assertTrue(tooMany.getMessage().contains("would delete 7 of 10"), tooMany.getMessage());
        assertEquals(before, nonAudit(repo), "nothing deleted, not even leftovers");
        assertEquals(2, repo.list(Layout.PRUNE_AUDIT).size());

        PruneReport dry = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(true, "manual"), "r", Deadline.NONE);
        assertFalse(dry.interlocks().isEmpty(), "a dry run reports what would stop a real run");

        put(repo, NOW.plus(Duration.ofDays(2)), "future", null);
        PruneAbortedException skew = assertThrows(PruneAbortedException.class,
                () -> service(repo, RetentionPolicy.DEFAULTS.withMaxDeletePercent(100)).run(new PruneRequest(false, "manual"), "r", Deadline.NONE));
        assertTrue(skew.getMessage().contains("a clock is wrong"), skew.getMessage());
        assertEquals(before.size() + 3, nonAudit(repo).size()); // the future backup: manifest, data and roles objects
    }

    @Test
    void aListingMuchSmallerThanWhatTheLastRunLeftAborts() {
        List<BackupId> ids = history(repo, 20);
        service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r1", Deadline.NONE);
        for (BackupId id : ids.subList(0, 15)) { // removed behind prune's back (or a wrong listing)
            repo.delete(Layout.manifest(id));
        }
        PruneAbortedException e = assertThrows(PruneAbortedException.class,
                () -> service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r2", Deadline.NONE));
        assertTrue(e.getMessage().contains("much fewer than the 26 the last completed run left"), e.getMessage());
    }

    /**
     * An aborted run's audit record (keptCount = the shrunken listing) is not a baseline: the interlock keeps tripping
     * until an operator accepts the listing by running once with BACKUP_RETENTION_MAX_DELETE_PERCENT=100.
     */
    @Test
    void aShrunkListingKeepsAbortingUntilTheOperatorAcceptsItsExactSize() {
        List<BackupId> ids = history(repo, 20);
        assertEquals(26, service(repo, RetentionPolicy.DEFAULTS, 0).run(new PruneRequest(false, "manual"), "r1", Deadline.NONE).keptCount());
        for (BackupId id : ids.subList(0, 15)) {
            repo.delete(Layout.manifest(id));
        }
        Set<String> before = nonAudit(repo);
        for (int run = 2; run <= 4; run++) { // a minute apart: audit records sort in run order
            PruneService s = service(repo, RetentionPolicy.DEFAULTS, run);
            PruneAbortedException e = assertThrows(PruneAbortedException.class, () -> s.run(new PruneRequest(false, "scheduled:daily"), "r", Deadline.NONE), "run " + run);
            assertTrue(e.getMessage().contains("much fewer than the 26 the last completed run left"), "run " + run + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("\"acceptListing\": 11"), e.getMessage());
        }
        assertFalse(service(repo, RetentionPolicy.DEFAULTS, 5).run(new PruneRequest(true, "manual"), "dry", Deadline.NONE).interlocks().isEmpty(),
                "a dry run still reports it");
        assertEquals(before, nonAudit(repo), "nothing deleted by the aborted runs");

        PruneAbortedException wrongCount = assertThrows(PruneAbortedException.class,
                () -> service(repo, RetentionPolicy.DEFAULTS, 6).run(new PruneRequest(false, "manual", 12), "ack", Deadline.NONE));
        assertTrue(wrongCount.getMessage().contains("acceptListing is 12 but the listing has 11 backups"), wrongCount.getMessage());
        assertEquals(before, nonAudit(repo), "nothing deleted by a wrong acknowledgement");
        PruneReport accepted = service(repo, RetentionPolicy.DEFAULTS, 6).run(new PruneRequest(false, "manual", 11), "ack", Deadline.NONE);
        assertTrue(accepted.interlocks().isEmpty(), accepted.interlocks().toString());
        assertEquals(11, accepted.keptCount());
        PruneReport next = service(repo, RetentionPolicy.DEFAULTS, 7).run(new PruneRequest(false, "scheduled:daily"), "r5", Deadline.NONE);
        assertTrue(next.interlocks().isEmpty(), "the accepted listing is the new baseline: " + next.interlocks());
    }

    @Test
    void leftoversOlderThanADayGoButABackupInProgressSurvives() throws IOException {
        history(repo, 10);
        // Noon five days ago: the retried backup (an hour later) is the newest of its day whatever the time of the run
        // (NOW minus five days would put it on the next day from 23:00 UTC on, behind that day's daily, and prune it).
        Instant old = NOW.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(5)).plus(Duration.ofHours(12));
        BackupId crashed = BackupId.scheduled(old, "crashed");
        repo.putIfAbsent(Layout.data(crashed, "a1"), new byte[77]); // data committed, manifest never written
        repo.putIfAbsent(Layout.roles(crashed, "a1"), new byte[13]); // and its roles object
        BackupId retried = put(repo, old.plusSeconds(3600), "retried", null);
        repo.putIfAbsent(Layout.data(retried, "a0"), new byte[5]); // an earlier attempt of a backup that exists
        ObjectWriter abandoned = repo.create(Layout.data(BackupId.scheduled(old, "abandoned"), "a1"));
        abandoned.stream().write(new byte[3]);

        // A backup in progress right now: its upload/temporary file is open, and a just-committed data object
        // (of a backup whose manifest is not written yet) waits for its manifest.
        BackupId running = BackupId.scheduled(NOW.minusSeconds(120), "running");
        ObjectWriter inProgress = repo.create(Layout.data(running, "a1"));
        inProgress.stream().write(new byte[1000]);
        BackupId committing = BackupId.scheduled(NOW.minusSeconds(60), "committing");
        repo.putIfAbsent(Layout.data(committing, "a1"), new byte[11]);

        PruneReport dry = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(true, "manual"), "r", Deadline.NONE);
        assertEquals(Set.of(Layout.data(crashed, "a1").value(), Layout.roles(crashed, "a1").value(), Layout.data(retried, "a0").value()),
                dry.leftovers().dataObjects().stream().map(PruneReport.Leftover::key).collect(Collectors.toSet()));
        assertEquals(List.of(Layout.data(BackupId.scheduled(old, "abandoned"), "a1").value()),
                dry.leftovers().pendingWrites().stream().map(PruneReport.Leftover::key).toList());

        PruneReport r = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r", Deadline.NONE);
        assertEquals(77 + 13 + 5, r.bytesFreed() - r.deleted().stream().mapToLong(PruneReport.Entry::storedBytes).sum());
        assertTrue(repo.stat(Layout.data(crashed, "a1")).isEmpty());
        assertTrue(repo.stat(Layout.roles(crashed, "a1")).isEmpty());
        assertTrue(repo.stat(Layout.roles(retried, "a1")).isPresent(), "the retried backup's own roles object stays");
        assertTrue(repo.stat(Layout.data(retried, "a0")).isEmpty());
        assertTrue(repo.stat(Layout.data(retried, "a1")).isPresent(), "the retried backup's own data stays");
        assertTrue(repo.stat(Layout.data(committing, "a1")).isPresent(), "a data object waiting for its manifest survives");
        assertEquals(List.of(Layout.data(running, "a1")), repo.pendingWrites().stream().map(w -> w.key()).toList());
        assertThrows(RuntimeException.class, abandoned::commit, "the abandoned write was discarded");

        inProgress.stream().write(new byte[10]);
        inProgress.commit(); // the racing backup completes after prune
        repo.putIfAbsent(Layout.manifest(running),
                manifest(running, NOW.minusSeconds(120), null, Layout.data(running, "a1").value(), 1010).toJson());
        assertTrue(new Catalog(repo).list().backups().stream().anyMatch(m -> m.backupId().equals(running)));
    }

    /** Issue 9, item 4: an editor's backup of a manifest and a copy of a data object disable neither the catalog nor prune. */
    @Test
    void strayFilesAreReportedAndLeftAloneAndNeitherTheCatalogNorPruneFails() {
        List<BackupId> ids = history(repo, 45);
        BackupId old = ids.get(ids.size() - 7); // the oldest daily: deleted by the plan
        byte[] manifest = repo.read(Layout.manifest(old));
        putForeign("manifests/" + old + ".json~", manifest);
        putForeign("data/copy of backup.esdk", new byte[3]);
        repo.putIfAbsent(ObjectKey.of("manifests/" + old + ".json.bak"), manifest);
        Catalog.Listing listing = new Catalog(repo).list();
        assertEquals(ids.size(), listing.backups().size());
        assertEquals(List.of("manifests/" + old + ".json.bak", "manifests/" + old + ".json~"), listing.foreign());
        assertTrue(listing.unreadable().isEmpty(), listing.unreadable().toString());
        PruneReport r = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r", Deadline.NONE);
        assertTrue(r.interlocks().isEmpty(), r.interlocks().toString());
        assertTrue(r.deleted().stream().anyMatch(e -> e.backupId().equals(old.value())), r.deleted().toString());
        assertEquals(Set.of("data/copy of backup.esdk", "manifests/" + old + ".json.bak", "manifests/" + old + ".json~"),
                Set.copyOf(r.foreign()));
        assertTrue(repo.stat(ObjectKey.of("manifests/" + old + ".json.bak")).isPresent(), "a foreign object is never deleted");
        assertEquals(2, repo.scan("").foreignKeys().size());
    }

    /**
     * Issue 9, item 8: two runs that listed the same backups (the barrier holds each run's first deletion until both
     * have planned) count each deletion once between them: deletedCount and bytesFreed add up to what went.
     */
    @Test
    void twoConcurrentRunsCountEachDeletionOnce() throws Exception {
        history(repo, 45);
        PruneReport dry = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(true, "manual"), "dry", Deadline.NONE);
        assertTrue(dry.deletedCount() > 2, dry.toString());
        java.util.concurrent.CyclicBarrier bothPlanned = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<PruneReport>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Repository held = new com.taskmaster.backup.repository.ForwardingRepository(repo) {
                    private boolean first = true;

                    @Override
                    public boolean delete(ObjectKey key) {
                        if (first) {
                            first = false;
                            try {
                                bothPlanned.await(60, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }
                        return super.delete(key);
                    }
                };
                int minutes = i;
                runs.add(pool.submit(() -> service(held, RetentionPolicy.DEFAULTS, minutes)
                        .run(new PruneRequest(false, "manual"), "r" + minutes, Deadline.NONE)));
            }
            PruneReport a = runs.get(0).get(120, java.util.concurrent.TimeUnit.SECONDS);
            PruneReport b = runs.get(1).get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(dry.deletedCount(), a.deletedCount() + b.deletedCount(), a.deleted() + " / " + b.deleted());
            assertEquals(dry.bytesFreed(), a.bytesFreed() + b.bytesFreed());
            Set<String> deletedByA = a.deleted().stream().map(PruneReport.Entry::backupId).collect(Collectors.toSet());
            assertEquals(deletedByA, Set.copyOf(b.deletedElsewhere()), "what one run deleted, the other reports as deleted elsewhere");
            assertFalse(b.kept().stream().anyMatch(e -> e.reasons().contains("deletion-failed")), b.kept().toString());
            assertEquals(dry.keptCount(), new Catalog(repo).list().backups().size());
        } finally {
            pool.shutdownNow();
        }
    }

    static void verified(Repository repo, BackupId id, Instant at) {
        com.taskmaster.backup.format.Verifications.record(repo, new com.taskmaster.backup.format.Verification(id, at,
                com.taskmaster.backup.format.Verification.Outcome.passed, null, 3, null, null, 10, "r"));
    }

    /** Issue 9, item 8: a deleted backup's verification records go with it; those an earlier run left are leftovers. */
    @Test
    void verificationRecordsGoWithTheirBackupAndLeftOnesAreCleanedUp() {
        List<BackupId> ids = history(repo, 45);
        for (BackupId id : ids) {
            verified(repo, id, id.time().plus(Duration.ofHours(1)));
        }
        BackupId prunedLongAgo = BackupId.scheduled(NOW.minus(Duration.ofDays(400)), "daily");
        verified(repo, prunedLongAgo, prunedLongAgo.time().plus(Duration.ofHours(1)));
        verified(repo, prunedLongAgo, prunedLongAgo.time().plus(Duration.ofDays(7)));
        BackupId young = BackupId.scheduled(NOW.minus(Duration.ofHours(2)), "inflight");
        verified(repo, young, NOW.minus(Duration.ofHours(1))); // no manifest yet, but too young to be a leftover

        PruneReport dry = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(true, "manual"), "dry", Deadline.NONE);
        assertEquals(2, dry.leftovers().verificationRecords().size(), dry.leftovers().toString());
        PruneReport r = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r", Deadline.NONE);
        assertTrue(r.deletedCount() > 0);
        Set<String> left = repo.list(Layout.VERIFICATIONS).stream()
                .map(i -> Layout.idOfVerification(i.key()).orElseThrow().value()).collect(Collectors.toSet());
        Set<String> expected = r.kept().stream().map(PruneReport.Entry::backupId).collect(Collectors.toSet());
        expected.add(young.value());
        assertEquals(expected, left, "records of kept backups (and of the young one) only");
        assertEquals(2, r.leftovers().verificationRecords().size());
    }

    @Test
    void anUnreadableManifestStopsPruneAndItsDataIsNeverALeftover() {
        history(repo, 45);
        BackupId unreadable = BackupId.scheduled(NOW.minus(Duration.ofDays(5)), "unreadable");
        repo.putIfAbsent(Layout.data(unreadable, "a1"), new byte[9]);
        repo.putIfAbsent(Layout.manifest(unreadable), "{ not json".getBytes());
        PruneReport dry = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(true, "manual"), "r", Deadline.NONE);
        assertTrue(dry.leftovers().dataObjects().isEmpty(), dry.leftovers().toString());
        assertEquals(1, dry.unreadable().size());
        Set<String> before = nonAudit(repo);
        PruneAbortedException e = assertThrows(PruneAbortedException.class,
                () -> service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r", Deadline.NONE));
        assertTrue(e.getMessage().contains("cannot be read"), e.getMessage());
        assertEquals(before, nonAudit(repo));
        repo.delete(Layout.manifest(unreadable)); // removed by an operator: prune proceeds
        assertTrue(service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r", Deadline.NONE).deletedCount() > 0);
    }

    @Test
    void nearTheDeadlineDeletionsStopTheAuditRecordIsWrittenAndTheNextRunContinues() {
        history(repo, 45);
        PruneFailedException e = assertThrows(PruneFailedException.class,
                () -> service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r", Deadline.at(NOW.plusSeconds(10), CLOCK)));
        assertTrue(e.getMessage().contains("before the invocation's deadline"), e.getMessage());
        assertEquals(0, e.report().deletedCount());
        assertEquals(51, new Catalog(repo).list().backups().size());
        assertEquals(1, repo.list(Layout.PRUNE_AUDIT).size());
        PruneReport next = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r", Deadline.at(NOW.plusSeconds(600), CLOCK));
        assertTrue(next.deletedCount() > 0);
        assertTrue(next.failures().isEmpty());
    }

    @Test
    void holdsAndTheNewestAreKeptWhateverTheirAge() {
        Instant old = NOW.minus(Duration.ofDays(900));
        BackupId held = put(repo, old, "manual-held", "keep:audit-2024");
        for (int i = 1; i <= 5; i++) {
            put(repo, old.plus(Duration.ofDays(i)), "daily", null);
        }
        PruneReport r = service(repo, RetentionPolicy.DEFAULTS.withMaxDeletePercent(100)).run(new PruneRequest(false, "manual"), "r", Deadline.NONE);
        assertEquals(Set.of(held.value(), BackupId.scheduled(old.plus(Duration.ofDays(5)), "daily").value(),
                        BackupId.scheduled(old.plus(Duration.ofDays(4)), "daily").value(),
                        BackupId.scheduled(old.plus(Duration.ofDays(3)), "daily").value()),
                r.kept().stream().map(PruneReport.Entry::backupId).collect(Collectors.toSet()));
    }

    /** {@code inner} with the given lock states (others: inner's own), recording which keys were asked. */
    static Repository withLocks(Repository inner, Map<ObjectKey, LockState> locks, List<ObjectKey> asked, RuntimeException failure) {
        return (Repository) Proxy.newProxyInstance(Repository.class.getClassLoader(), new Class<?>[] {Repository.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("lockState")) {
                        ObjectKey k = (ObjectKey) args[0];
                        asked.add(k);
                        if (failure != null) {
                            throw failure;
                        }
                        return locks.containsKey(k) ? locks.get(k) : inner.lockState(k);
                    }
                    try {
                        return method.invoke(inner, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void lockedBackupsAreKeptAndOnlyBackupsThePlanWouldDeleteAreAsked() {
        Instant old = NOW.minus(Duration.ofDays(900));
        List<BackupId> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(put(repo, old.plus(Duration.ofDays(i)), "daily", null));
        }
        BackupId retained = ids.get(1);
        BackupId held = ids.get(3);
        BackupId expired = ids.get(4);
        Map<ObjectKey, LockState> locks = Map.of(
                Layout.manifest(retained), new LockState(NOW.plus(Duration.ofDays(30)), "GOVERNANCE", false),
                Layout.data(held, "a1"), new LockState(null, null, true),
                Layout.manifest(expired), new LockState(NOW.minusSeconds(1), "COMPLIANCE", false));
        List<ObjectKey> asked = new ArrayList<>();
        Repository locking = withLocks(repo, locks, asked, null);
        RetentionPolicy all = RetentionPolicy.DEFAULTS.withMaxDeletePercent(100);

        PruneReport dry = service(locking, all).run(new PruneRequest(true, "manual"), "r", Deadline.NONE);
        Set<ObjectKey> candidates = new java.util.HashSet<>();
        for (BackupId id : ids.subList(0, 5)) { // the three newest are kept without asking
            candidates.add(Layout.manifest(id));
            candidates.add(Layout.data(id, "a1"));
            candidates.add(Layout.roles(id, "a1"));
        }
        assertEquals(candidates, Set.copyOf(asked), "lock state read for the backups the plan would delete, and only those");
        assertEquals(List.of("object-lock"), dry.kept().stream().filter(e -> e.backupId().equals(retained.value()))
                .findFirst().orElseThrow().reasons());

        PruneReport r = service(locking, all).run(new PruneRequest(false, "manual"), "r", Deadline.NONE);
        Map<String, List<String>> kept = r.kept().stream().collect(Collectors.toMap(PruneReport.Entry::backupId, PruneReport.Entry::reasons));
        assertEquals(List.of("object-lock"), kept.get(retained.value()));
        assertEquals(List.of("legal-hold"), kept.get(held.value()));
        assertEquals(Set.of(ids.get(0).value(), ids.get(2).value(), expired.value()),
                r.deleted().stream().map(PruneReport.Entry::backupId).collect(Collectors.toSet()));
        assertEquals(Set.of(retained, held, ids.get(5), ids.get(6), ids.get(7)),
                new Catalog(repo).list().backups().stream().map(Manifest::backupId).collect(Collectors.toSet()));
        assertTrue(repo.stat(Layout.data(held, "a1")).isPresent() && repo.stat(Layout.data(retained, "a1")).isPresent());
        assertEquals(0, service(locking, all).run(new PruneRequest(false, "manual"), "r2", Deadline.NONE).deletedCount(), "a second run deletes nothing");
    }

    /** The roles object is committed by the manifest like the data: a retention or legal hold on it alone keeps the backup. */
    @Test
    void aBackupWhoseRolesObjectAloneIsLockedIsKeptWithItsObjects() {
        Instant old = NOW.minus(Duration.ofDays(900));
        List<BackupId> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(put(repo, old.plus(Duration.ofDays(i)), "daily", null));
        }
        BackupId retained = ids.get(0);
        BackupId held = ids.get(1);
        Repository locking = withLocks(repo, Map.of(
                Layout.roles(retained, "a1"), new LockState(NOW.plus(Duration.ofDays(30)), "COMPLIANCE", false),
                Layout.roles(held, "a1"), new LockState(null, null, true)), new ArrayList<>(), null);

        PruneReport r = service(locking, RetentionPolicy.DEFAULTS.withMaxDeletePercent(100))
                .run(new PruneRequest(false, "manual"), "r", Deadline.NONE);

        Map<String, List<String>> kept = r.kept().stream().collect(Collectors.toMap(PruneReport.Entry::backupId, PruneReport.Entry::reasons));
        assertEquals(List.of("object-lock"), kept.get(retained.value()));
        assertEquals(List.of("legal-hold"), kept.get(held.value()));
        assertEquals(Set.of(ids.get(2).value()), r.deleted().stream().map(PruneReport.Entry::backupId).collect(Collectors.toSet()));
        for (BackupId id : List.of(retained, held)) {
            assertTrue(repo.stat(Layout.manifest(id)).isPresent() && repo.stat(Layout.data(id, "a1")).isPresent()
                    && repo.stat(Layout.roles(id, "a1")).isPresent(), "every object of " + id + " kept");
        }
        assertTrue(repo.stat(Layout.roles(ids.get(2), "a1")).isEmpty(), "the deleted backup's roles object goes with it");
    }

    @Test
    void anUnknownLockStateFailsTheRunAndDeletesNothing() {
        history(repo, 45);
        Set<String> before = nonAudit(repo);
        Repository broken = withLocks(repo, Map.of(), new ArrayList<>(),
                new com.taskmaster.backup.repository.RepositoryException("cannot read the Object Lock retention: Access Denied"));
        var e = assertThrows(com.taskmaster.backup.repository.RepositoryException.class,
                () -> service(broken, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r", Deadline.NONE));
        assertTrue(e.getMessage().contains("Access Denied"), e.getMessage());
        assertEquals(before, nonAudit(repo), "nothing deleted, leftovers included");
        assertThrows(com.taskmaster.backup.repository.RepositoryException.class,
                () -> service(broken, RetentionPolicy.DEFAULTS).run(new PruneRequest(true, "manual"), "r", Deadline.NONE), "a dry run cannot show a plan it cannot know");
    }

    @Test
    void theNewestVerifiedBackupIsKeptFromItsVerificationRecords() {
        Instant old = NOW.minus(Duration.ofDays(900));
        BackupId verified = put(repo, old, "daily", null);
        BackupId failedLater = put(repo, old.plus(Duration.ofDays(1)), "daily", null);
        for (int i = 2; i <= 6; i++) {
            put(repo, old.plus(Duration.ofDays(i)), "daily", null);
        }
        var records = new com.taskmaster.backup.format.Verifications(repo);
        var passed = com.taskmaster.backup.format.Verification.Outcome.passed;
        var failed = com.taskmaster.backup.format.Verification.Outcome.failed;
        com.taskmaster.backup.format.Verifications.record(repo, new com.taskmaster.backup.format.Verification(verified, old.plus(Duration.ofDays(7)), passed,
                null, 3, null, null, 10, "r"));
        // a later backup whose latest verification failed is not "verified", even if an earlier one passed
        com.taskmaster.backup.format.Verifications.record(repo, new com.taskmaster.backup.format.Verification(failedLater, old.plus(Duration.ofDays(7)), passed,
                null, 3, null, null, 10, "r"));
        com.taskmaster.backup.format.Verifications.record(repo, new com.taskmaster.backup.format.Verification(failedLater, old.plus(Duration.ofDays(8)), failed,
                "sha256 mismatch", null, null, null, 10, "r"));
        PruneReport r = service(repo, RetentionPolicy.DEFAULTS.withMaxDeletePercent(100)).run(new PruneRequest(false, "manual"), "r", Deadline.NONE);
        var kept = r.kept().stream().map(PruneReport.Entry::backupId).collect(Collectors.toSet());
        assertTrue(kept.contains(verified.value()), "newest verified backup kept: " + r.kept());
        assertFalse(kept.contains(failedLater.value()), "a backup whose latest verification failed is not protected");
        assertEquals(4, kept.size(), r.kept().toString()); // newest 3 + newest verified
    }

    @Test
    void randomHistoriesPlanThenExecuteTwiceAndNothingOutsideThePrefixIsTouched() {
        Random random = new Random(7);
        for (int n = 0; n < randomHistories(); n++) {
            Repository here = newRepository();
            Repository other = neighbour();
            history(other, 40); // a neighbour with prunable backups: must stay whole
            ObjectWriter otherUpload = other.create(Layout.data(BackupId.scheduled(NOW.minus(Duration.ofDays(9)), "other"), "a1"));
            Set<String> otherBefore = everything(other);
            List<BackupId> ids = new ArrayList<>();
            int count = 1 + random.nextInt(40);
            for (int i = 0; i < count; i++) {
                Instant t = NOW.minus(Duration.ofMinutes(random.nextInt(400 * 24 * 60))).truncatedTo(ChronoUnit.SECONDS);
                ids.add(put(here, t, "r" + i, random.nextInt(15) == 0 ? "keep:x" : null));
            }
            PruneService s = service(here, RetentionPolicy.DEFAULTS.withMaxDeletePercent(100));
            PruneReport first = s.run(new PruneRequest(false, "manual"), "r", Deadline.NONE);
            PruneReport plan = s.run(new PruneRequest(true, "manual"), "r", Deadline.NONE);
            PruneReport second = s.run(new PruneRequest(false, "manual"), "r", Deadline.NONE);
            String at = "history " + n + ": ";
            assertEquals(0, plan.deletedCount(), at + "nothing more planned");
            assertEquals(0, second.deletedCount(), at + "second run deletes nothing");
            assertEquals(first.keptCount(), new Catalog(here).list().backups().size(), at);
            assertTrue(first.kept().stream().anyMatch(e -> e.reasons().contains("newest-3")), at);
            assertEquals(otherBefore, everything(other), at + "the neighbour is untouched");
            otherUpload.abort();
        }
    }
}
