package com.taskmaster.backup.prune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.ConfigManifest;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Sources;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.format.Verifications;
import com.taskmaster.backup.repository.LockState;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ObjectListing;
import com.taskmaster.backup.repository.PendingWrite;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.RepositoryException;
import com.taskmaster.backup.support.Bounded;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.support.RandomIds;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Executes retention on one repository: list, plan ({@link RetentionPolicy#plan}), then act.
 *
 * <p>Acting, in order: for each backup to delete, oldest first, the manifest (the backup ceases to exist),
 * then its data object, so an interrupted run never leaves a manifest pointing at nothing; then leftovers
 * older than a day: data objects no manifest refers to, and pending writes (open multipart uploads,
 * temporary files). Each deletion is logged as one JSON line; each real run, aborted or not, appends an
 * audit record {@code audit/prune/<time>-<runId>.json}. A dry run only plans and changes nothing, not even
 * the audit trail. Running again deletes nothing more.
 *
 * <p>S3 Object Lock: before acting (dry runs too), the lock state of every backup the plan would delete, and of
 * those only, is read ({@link Repository#lockState}, manifest and every object it commits) and the plan is made again: a backup
 * under an active retention or legal hold is kept ({@code object-lock}, {@code legal-hold}). When a lock state
 * cannot be read, the run fails before deleting anything.
 */
public final class PruneService {
    private static final Logger LOG = Logger.getLogger(PruneService.class);
    /** Leftovers younger than this may belong to a backup in progress (a Lambda run lasts 15 minutes at most). */
    public static final Duration LEFTOVER_AGE = Duration.ofDays(1);

    private final Repository repository;
    private final RetentionPolicy policy;
    private final Clock clock;

    public PruneService(Repository repository, RetentionPolicy policy, Clock clock) {
        this.repository = repository;
        this.policy = policy;
        this.clock = clock;
    }

    /**
     * Plans and, unless the request is a dry run or an interlock trips, acts on the plan.
     *
     * @param request  dry run or not, who asked ({@code manual} or {@code scheduled:<name>}, for the audit trail), and
     *                 the listing the operator accepts ({@link PruneRequest#acceptListing()}: when it is exactly the number
     *                 listed, the "listing shrank" interlock does not trip and this run's record becomes the new
     *                 baseline; any other number is an interlock of its own)
     * @param deadline when the caller will be killed (Lambda's timeout), or {@link Deadline#NONE}: deletions stop
     *                 {@link Deadline.Margin#WORK} before it, the audit record is still written, and the rest is left for
     *                 the next run
     * @throws PruneAbortedException an interlock tripped in a real run: nothing was deleted
     * @throws PruneFailedException  some deletions failed; the rest were done and recorded
     */
    public PruneReport run(PruneRequest request, String requestId, Deadline deadline) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String runId = RandomIds.suffix(8);
        Catalog catalog = new Catalog(repository);
        Catalog.Listing listing = catalog.list();
        Map<BackupId, Manifest> manifests = listing.backups().stream()
                .collect(Collectors.toMap(Manifest::backupId, Function.identity()));
        PrunePlan plan = plan(listing, manifests, now);
        List<String> interlocks = interlocks(plan, listing, request.acceptListing());
        // A backup is deleted for what its manifest says, never for what a catalog index's copy of it says: a real run
        // reads the manifest of each backup it would delete (concurrently; a dry run deletes nothing and reads none).
        if (!request.dryRun()) {
            Bounded.map(plan.deleted(), Bounded.READS, d -> catalog.confirm(listing, manifests.get(d.backup().id())))
                    .forEach(problem -> problem.ifPresent(p -> interlocks.add(p + "; nothing deleted")));
        }
        ObjectListing data = repository.scan(Layout.DATA);
        Set<BackupId> manifestIds = manifestIds();
        List<ObjectInfo> orphans = orphanDataObjects(manifests, manifestIds, data.objects(), now);
        List<ObjectInfo> records = staleVerificationRecords(manifestIds, now);
        List<String> foreign = new ArrayList<>(listing.foreign());
        foreign.addAll(data.foreignKeys());
        data.objects().stream().filter(o -> Layout.idOfData(o.key()).isEmpty()).forEach(o -> foreign.add(o.key().value()));
        if (!foreign.isEmpty()) {
            LOG.warnf("prune: %d foreign object(s) in the repository, not written by this tool, left alone: %s",
                    foreign.size(), String.join(", ", foreign));
        }
        List<PendingWrite> stale = stalePendingWrites(now);
        List<PrunePlan.Decision> toDelete = new ArrayList<>(plan.deleted());
        toDelete.sort(Comparator.comparing((PrunePlan.Decision d) -> d.backup().time()).thenComparing(d -> d.backup().id()));
        PruneReport.Builder report = PruneReport.builder(runId, request, requestId, repository.uri(), now, policy.describe())
                .listing(interlocks, plan.decisions().size(), listing.unreadable(), foreign);

        if (request.dryRun() || interlocks.isEmpty()) {
            report.configSnapshots(configSnapshots(request.dryRun(), now));
        }
        if (request.dryRun()) {
            PruneReport r = report.backups(kept(plan, List.of(), true, interlocks), toDelete).leftovers(orphans, stale, records).build();
            LOG.infof("prune dry run %s: would keep %d, delete %d backups%s", runId, r.keptCount(), toDelete.size(),
                    interlocks.isEmpty() ? "" : "; a real run would abort: " + String.join("; ", interlocks));
            return r;
        }
        if (!interlocks.isEmpty()) {
            throw new PruneAbortedException(withAudit(report.backups(kept(plan, List.of(), false, interlocks), List.of()), now, runId));
        }
        Outcome done = act(runId, toDelete, manifests, orphans, stale, records, deadline);
        deleteStaleIndexes(listing);
        List<PrunePlan.Decision> gone = new ArrayList<>(done.backups());
        gone.addAll(done.goneAlready());
        PruneReport r = withAudit(report.backups(kept(plan, gone, false, interlocks), done.backups())
                .deletedElsewhere(done.goneAlready()).leftovers(done.orphans(), done.pending(), done.records())
                .failures(done.failures()), now, runId);
        if (!r.failures().isEmpty()) {
            throw new PruneFailedException(r);
        }
        LOG.infof("prune %s: kept %d, deleted %d backups (%d bytes), %d orphan data objects, %d pending writes",
                runId, r.keptCount(), r.deletedCount(), r.bytesFreed(), done.orphans().size(), done.pending().size());
        return r;
    }

    /**
     * The plan: retention over the listed backups, with the newest verified kept. S3 Object Lock: the lock state of
     * every backup the plan would delete (only those) is read, and the plan made again. A RepositoryException there
     * (lock state unknown) fails the whole run before anything is deleted.
     */
    private PrunePlan plan(Catalog.Listing listing, Map<BackupId, Manifest> manifests, Instant now) {
        // The backups whose latest verification passed: the newest of them is always kept.
        Set<BackupId> verified = new Verifications(repository).latest().values().stream()
                .filter(Verification::passed).map(Verification::backupId).collect(Collectors.toSet());
        List<List<BackupSummary>> groups = Sources.groups(listing.backups()).stream()
                .map(g -> g.stream().map(BackupSummary::of).toList()).toList();
        PrunePlan plan = policy.planPerSource(groups, verified, now);
        if (plan.deleted().isEmpty()) {
            return plan;
        }
        Map<BackupId, LockState> locks = new HashMap<>();
        for (PrunePlan.Decision d : plan.deleted()) {
            locks.put(d.backup().id(), lockOf(manifests.get(d.backup().id())));
        }
        return policy.planPerSource(groups.stream().map(g -> g.stream()
                .map(b -> locks.containsKey(b.id()) ? b.withLock(locks.get(b.id())) : b).toList()).toList(), verified, now);
    }

    /** The plan's interlocks, and those of the repository: a listing that shrank, unreadable manifests. */
    private List<String> interlocks(PrunePlan plan, Catalog.Listing listing, Integer acceptListing) {
        List<String> interlocks = new ArrayList<>(plan.interlocks());
        int listed = plan.decisions().size();
        if (acceptListing == null) {
            listingShrankSinceLastRun(listed).ifPresent(interlocks::add);
        } else if (acceptListing != listed) {
            interlocks.add("acceptListing is " + acceptListing + " but the listing has " + listed + " backups: nothing deleted");
        } else {
            LOG.infof("prune: the listing of %d backups is accepted by the operator (acceptListing)", listed);
        }
        if (!listing.unreadable().isEmpty()) {
            // A manifest of a newer format, or a damaged one: the listing is not fully understood, so nothing goes.
            interlocks.add(listing.unreadable().size() + " manifest(s) cannot be read ("
                    + listing.unreadable().get(0).lines().findFirst().orElse("")
                    + (listing.unreadable().size() > 1 ? ", ..." : "") + "): repair or remove them; nothing deleted");
        }
        return interlocks;
    }

    /**
     * The lock state of a backup: its manifest's and that of every object it commits ({@link Manifest#committedObjects}:
     * data, roles) that is this backup's own (the only ones prune would delete with it). Locked when any is.
     */
    private LockState lockOf(Manifest m) {
        LockState state = repository.lockState(Layout.manifest(m.backupId()));
        for (Manifest.Committed c : m.committedObjects()) {
            if (Layout.isDataOf(m.backupId(), c.object().key())) {
                try {
                    state = state.and(repository.lockState(ObjectKey.of(c.object().key())));
                } catch (IllegalArgumentException notAKey) {
                    // never deleted either (deleteBackup fails on it): nothing to protect
                }
            }
        }
        return state;
    }

    /**
     * What a real run did: deleted backups, those a concurrent run deleted first (counted by it, not here), deleted
     * orphans, discarded pending writes, and what failed.
     */
    private record Outcome(List<PrunePlan.Decision> backups, List<PrunePlan.Decision> goneAlready, List<ObjectInfo> orphans,
                           List<PendingWrite> pending, List<ObjectInfo> records, List<String> failures) {
    }

    private enum Deletion { DELETED, GONE, KEPT }

    /** Deletes the planned backups (oldest first), then the leftovers; stops near the deadline. */
    private Outcome act(String runId, List<PrunePlan.Decision> toDelete, Map<BackupId, Manifest> manifests,
                        List<ObjectInfo> orphans, List<PendingWrite> stale, List<ObjectInfo> records, Deadline deadline) {
        Outcome done = new Outcome(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>());
        Deadline stop = deadline.minus(Deadline.Margin.WORK);
        int left = toDelete.size() + orphans.size() + stale.size() + records.size();
        for (PrunePlan.Decision d : toDelete) {
            if (stop.passed()) {
                break;
            }
            left--;
            switch (deleteBackup(runId, manifests.get(d.backup().id()), d.reasons(), done.failures())) {
                case DELETED -> done.backups().add(d);
                case GONE -> done.goneAlready().add(d);
                case KEPT -> { }
            }
        }
        for (ObjectInfo o : orphans) {
            if (stop.passed()) {
                break;
            }
            left--;
            try {
                if (repository.delete(o.key())) { // else removed meanwhile by a concurrent run, which counts it
                    logDeletion(runId, "orphan-data", null, repository.uriOf(o.key()), o.size(), List.of("no manifest refers to it"));
                    done.orphans().add(o);
                }
            } catch (RepositoryException e) {
                done.failures().add("leftover " + o.key() + ": " + e.getMessage());
            }
        }
        for (PendingWrite w : stale) {
            if (stop.passed()) {
                break;
            }
            left--;
            try {
                repository.discard(w);
                logDeletion(runId, "pending-write", null, repository.uriOf(w.key()) + " (" + w.handle() + ")", -1,
                        List.of("pending since " + w.since()));
                done.pending().add(w);
            } catch (RepositoryException e) {
                done.failures().add("pending write " + w.key() + " (" + w.handle() + "): " + e.getMessage());
            }
        }
        for (ObjectInfo record : records) {
            if (stop.passed()) {
                break;
            }
            left--;
            try {
                if (repository.delete(record.key())) {
                    logDeletion(runId, "verification-record", null, repository.uriOf(record.key()), record.size(),
                            List.of("its backup is gone"));
                    done.records().add(record);
                }
            } catch (RepositoryException e) {
                done.failures().add("leftover " + record.key() + ": " + e.getMessage());
            }
        }
        if (left > 0) {
            done.failures().add("stopped " + stop.marginSeconds() + " s before the invocation's deadline with " + left
                    + " deletion(s) left: the next run continues (raise the function's timeout if this repeats)");
        }
        return done;
    }

    /**
     * Manifest first, then data, then the backup's verification records: the backup ceases to exist before any of its
     * bytes go. {@code GONE}: a concurrent run deleted the manifest first (and counts it).
     */
    private Deletion deleteBackup(String runId, Manifest m, List<String> reasons, List<String> failures) {
        ObjectKey manifestKey = Layout.manifest(m.backupId());
        try {
            if (!repository.delete(manifestKey)) {
                LOG.infof("prune %s: backup %s was deleted meanwhile by another run (counted there)", runId, m.backupId());
                return Deletion.GONE;
            }
        } catch (RepositoryException e) {
            failures.add("backup " + m.backupId() + ": manifest not deleted, backup kept: " + e.getMessage());
            return Deletion.KEPT;
        }
        List<String> uris = new ArrayList<>(List.of(repository.uriOf(manifestKey)));
        for (Manifest.Committed c : m.committedObjects()) {
            deleteCommitted(m, c, failures).ifPresent(uris::add);
        }
        int records = deleteVerifications(m.backupId(), failures);
        logDeletion(runId, "backup", m.backupId().value(), String.join(" ", uris)
                + (records == 0 ? "" : " and " + records + " verification record(s)"), m.data().storedBytes(), reasons);
        return Deletion.DELETED;
    }

    /**
     * Deletes one object of a backup whose manifest is gone, only if it is this backup's own (a manifest naming another
     * backup's object, corrupt or forged, must not make prune delete it); returns its URI when deleted.
     */
    private Optional<String> deleteCommitted(Manifest m, Manifest.Committed c, List<String> failures) {
        String key = c.object().key();
        if (!Layout.isDataOf(m.backupId(), key)) {
            failures.add("backup " + m.backupId() + ": manifest deleted; its " + c.kind() + " key " + key
                    + " is not this backup's, so it was left alone");
            return Optional.empty();
        }
        try {
            ObjectKey objectKey = ObjectKey.of(key);
            repository.delete(objectKey);
            return Optional.of(repository.uriOf(objectKey));
        } catch (RepositoryException | IllegalArgumentException e) {
            failures.add("backup " + m.backupId() + ": manifest deleted but " + c.describe() + " " + key
                    + " not (a later run removes it as a leftover): " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Deletes the verification records of a backup that is gone; returns how many. A failure is left to a later run. */
    private int deleteVerifications(BackupId id, List<String> failures) {
        int n = 0;
        try {
            for (ObjectInfo record : repository.list(Layout.verificationsOf(id))) {
                if (repository.delete(record.key())) {
                    n++;
                }
            }
        } catch (RepositoryException e) {
            failures.add("backup " + id + ": verification records not all deleted (a later run removes them as leftovers): "
                    + e.getMessage());
        }
        return n;
    }

    private void logDeletion(String runId, String kind, String backupId, String objects, long bytes, List<String> reasons) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("event", "prune-delete");
        line.put("runId", runId);
        line.put("kind", kind);
        if (backupId != null) {
            line.put("backupId", backupId);
        }
        line.put("objects", objects);
        line.put("bytes", bytes);
        line.putPOJO("reasons", reasons);
        LOG.info(line.toString());
    }

    /** Data objects older than a day (by their time and their backup id's) that no readable manifest refers to. */
    private List<ObjectInfo> orphanDataObjects(Map<BackupId, Manifest> manifests, Set<BackupId> manifestIds,
                                               List<ObjectInfo> data, Instant now) {
        Set<String> referenced = manifests.values().stream().flatMap(m -> m.committedObjects().stream())
                .map(c -> c.object().key()).collect(Collectors.toSet());
        // Ids with a manifest that could not be read: their data may be referenced, so it is never a leftover.
        Set<BackupId> withManifest = new HashSet<>(manifestIds);
        withManifest.removeAll(manifests.keySet());
        Instant cutoff = now.minus(LEFTOVER_AGE);
        List<ObjectInfo> out = new ArrayList<>();
        for (ObjectInfo o : data) {
            // Only what Layout#data names can be a leftover: anything else under data/ is left alone.
            Optional<BackupId> id = Layout.idOfData(o.key());
            if (id.isPresent() && !referenced.contains(o.key().value()) && !withManifest.contains(id.get())
                    && o.lastModified().isBefore(cutoff) && id.get().time().isBefore(cutoff)) {
                out.add(o);
            }
        }
        return out;
    }

    /**
     * The catalog indexes older than the newest: nothing reads them (the newest stands in for them). Best effort: one
     * that cannot be deleted is logged and tried again by the next run; no backup depends on it.
     */
    private void deleteStaleIndexes(Catalog.Listing listing) {
        int deleted = 0;
        for (ObjectKey key : listing.staleIndexes()) {
            try {
                deleted += repository.delete(key) ? 1 : 0;
            } catch (RuntimeException e) {
                LOG.warnf("prune: catalog index %s not deleted (tried again next run): %s", key, e.getMessage());
            }
        }
        if (deleted > 0) {
            LOG.infof("prune: %d catalog index(es) older than the newest deleted", deleted);
        }
    }

    /** The ids of every manifest listed now, readable or not (listed after the catalog: backups committed since count). */
    private Set<BackupId> manifestIds() {
        Set<BackupId> ids = new HashSet<>();
        for (ObjectInfo info : repository.list(Layout.MANIFESTS)) {
            Layout.idOfManifest(info.key()).ifPresent(ids::add);
        }
        return ids;
    }

    /**
     * Verification records of backups that have no manifest (deleted by an earlier run, or by one that stopped before
     * deleting them) and whose id is over a day old: nothing refers to them any more.
     */
    private List<ObjectInfo> staleVerificationRecords(Set<BackupId> manifestIds, Instant now) {
        Instant cutoff = now.minus(LEFTOVER_AGE);
        List<ObjectInfo> out = new ArrayList<>();
        for (ObjectInfo o : repository.list(Layout.VERIFICATIONS)) {
            Optional<BackupId> id = Layout.idOfVerification(o.key());
            if (id.isPresent() && !manifestIds.contains(id.get()) && id.get().time().isBefore(cutoff)) {
                out.add(o);
            }
        }
        return out;
    }

    /**
     * Pending writes older than a day. Both the write's own date and the backup id in its key must be old: moto
     * dates every upload 2010, and a clock can lie, so a backup in progress is never discarded on one date alone.
     * Writes whose key names no backup are left to the bucket's lifecycle rule.
     */
    private List<PendingWrite> stalePendingWrites(Instant now) {
        Instant cutoff = now.minus(LEFTOVER_AGE);
        return repository.pendingWrites().stream()
                .filter(w -> w.since().isBefore(cutoff))
                .filter(w -> Layout.idIn(w.key()).map(id -> id.time().isBefore(cutoff)).orElse(false))
                .toList();
    }

    /**
     * Compares the listing with the backups the last completed real run left: a listing much smaller means something
     * is wrong. Aborted runs' records (non-empty {@code interlocks}) are skipped: their keptCount is the very listing in
     * question, so comparing with them would clear the interlock after one aborted run. It keeps tripping until a run
     * completes; an operator accepts a smaller listing with one run of {@code {"dryRun": false, "acceptListing": N}}
     * (N = the number listed), whose record is the new baseline.
     */
    private Optional<String> listingShrankSinceLastRun(int listed) {
        List<ObjectInfo> audits = repository.list(Layout.PRUNE_AUDIT);
        for (int i = audits.size() - 1; i >= 0; i--) {
            ObjectKey key = audits.get(i).key();
            JsonNode record;
            try {
                record = Json.MAPPER.readTree(repository.read(key));
            } catch (IOException | RepositoryException e) {
                LOG.warnf("cannot read prune audit record %s (%s): comparing the listing with an older one", key, e.getMessage());
                continue;
            }
            JsonNode interlocks = record.path("interlocks");
            if (!interlocks.isArray() || !interlocks.isEmpty()) {
                continue; // an aborted run (or not a run record): not a baseline
            }
            int before = record.path("keptCount").asInt(0);
            if ((long) listed * 100 < (long) before * (100 - policy.maxDeletePercent())) {
                return Optional.of("the listing has " + listed + " backups, much fewer than the " + before
                        + " the last completed run left (" + key + "): were backups removed behind prune's back? If the listing "
                        + "is right, accept it with one run of {\"dryRun\": false, \"acceptListing\": " + listed + "}; nothing deleted");
            }
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The backups kept, newest first: the plan's, and in a real run those planned for deletion that were not deleted
     * (reported as kept for no rule: {@code deletion-failed}, or {@code interlock} when the run aborted).
     */
    private static List<PrunePlan.Decision> kept(PrunePlan plan, List<PrunePlan.Decision> deleted, boolean dryRun,
                                                 List<String> interlocks) {
        List<PrunePlan.Decision> keptAll = new ArrayList<>(plan.kept());
        if (!dryRun && interlocks.isEmpty()) {
            Set<BackupId> gone = deleted.stream().map(d -> d.backup().id()).collect(Collectors.toSet());
            plan.deleted().stream().filter(d -> !gone.contains(d.backup().id()))
                    .forEach(d -> keptAll.add(new PrunePlan.Decision(d.backup(), PrunePlan.Action.KEEP, List.of("deletion-failed"))));
        } else if (!dryRun) {
            keptAll.addAll(plan.deleted().stream()
                    .map(d -> new PrunePlan.Decision(d.backup(), PrunePlan.Action.KEEP, List.of("interlock"))).toList());
        }
        keptAll.sort(Comparator.comparing((PrunePlan.Decision d) -> d.backup().time()).thenComparing(d -> d.backup().id()).reversed());
        return keptAll;
    }

    /** Appends the run's audit record (never overwriting one) and returns the report naming it. */
    /**
     * The configuration snapshots under {@code config/}: the same policy, planned apart from the backups (their own
     * newest kept, their own interlocks); a real run deletes each one's manifest (the commit point) first, then its data
     * object (only a key its manifest names under {@code config/data/<id>.}). Unreadable manifests are left alone.
     */
    private PruneReport.ConfigSnapshots configSnapshots(boolean dryRun, Instant now) {
        Map<BackupId, ConfigManifest> manifests = new java.util.HashMap<>();
        for (ObjectInfo info : repository.list(Layout.CONFIG_MANIFESTS)) {
            Optional<BackupId> id = Layout.idOfConfigManifest(info.key());
            if (id.isPresent()) {
                try {
                    ConfigManifest m = ConfigManifest.fromJson(repository.read(info.key()));
                    if (m.snapshotId().equals(id.get())) {
                        manifests.put(id.get(), m);
                    }
                } catch (IOException | RuntimeException unreadable) {
                    LOG.warnf("prune: configuration manifest %s cannot be read, left alone: %s", info.key(), unreadable.getMessage());
                }
            }
        }
        if (manifests.isEmpty()) {
            return new PruneReport.ConfigSnapshots(0, List.of(), List.of());
        }
        PrunePlan plan = policy.plan(manifests.values().stream()
                .map(m -> new BackupSummary(m.snapshotId(), m.takenAt(), null, m.data().storedBytes())).toList(), now);
        List<String> deleted = new ArrayList<>();
        for (PrunePlan.Decision d : plan.deleted()) {
            if (!dryRun && plan.executable()) {
                ConfigManifest m = manifests.get(d.backup().id());
                repository.delete(Layout.configManifest(m.snapshotId()));
                ObjectKey data = ObjectKey.of(m.data().key());
                if (Layout.idOfConfigData(data).filter(m.snapshotId()::equals).isPresent()) {
                    repository.delete(data);
                }
                LOG.infof("prune-delete configuration snapshot %s", m.snapshotId());
            }
            deleted.add(d.backup().id().value());
        }
        return new PruneReport.ConfigSnapshots(plan.kept().size(), dryRun || plan.executable() ? deleted : List.of(), plan.interlocks());
    }

    private PruneReport withAudit(PruneReport.Builder report, Instant now, String runId) {
        ObjectKey key = Layout.pruneAudit(now, runId);
        PruneReport named = report.audit(repository.uriOf(key)).build();
        try {
            repository.putIfAbsent(key, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(named));
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize the audit record of prune run " + runId, e);
        }
        return named;
    }
}
