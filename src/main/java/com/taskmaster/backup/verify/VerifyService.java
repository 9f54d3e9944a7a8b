package com.taskmaster.backup.verify;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.BackupReader;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.StreamDigest;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.format.Verifications;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.repository.AppendOnlyRepository;
import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ReadableRepository;
import com.taskmaster.backup.repository.RepositoryException;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Json;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One verify run: decide which backups to check ({@link VerifyPlan}), check each (stored object → decryption →
 * archive → tables, their row counts and content fingerprints; replica; drops against the predecessor), record each verification, then check freshness.
 * Failures are collected, never thrown midway: every due backup is checked and recorded, and the caller fails
 * the invocation at the end, naming them all (a backup that could not be checked, outcome {@code error}, too).
 */
public final class VerifyService {
    private static final Logger LOG = Logger.getLogger(VerifyService.class);

    private final AppendOnlyRepository repository;
    private final Optional<? extends ReadableRepository> replica;
    private final Envelope envelope;
    private final PgTools tools;
    private final Clock clock;
    private final VerifySettings settings;
    private final Duration maxUnverified;
    /** BACKUP_VERIFY_MAX_UNVERIFIED's default: four weekly runs. */
    public static final Duration DEFAULT_MAX_UNVERIFIED = Duration.ofDays(30);

    public VerifyService(AppendOnlyRepository repository, Optional<? extends ReadableRepository> replica, Envelope envelope, PgTools tools, Clock clock,
                         VerifySettings settings) {
        this(repository, replica, envelope, tools, clock, settings, DEFAULT_MAX_UNVERIFIED);
    }

    /** @param maxUnverified a backup left without a verdict longer than this (BACKUP_VERIFY_MAX_UNVERIFIED) fails the run */
    public VerifyService(AppendOnlyRepository repository, Optional<? extends ReadableRepository> replica, Envelope envelope, PgTools tools, Clock clock,
                         VerifySettings settings, Duration maxUnverified) {
        this.maxUnverified = maxUnverified;
        this.repository = repository;
        this.replica = replica;
        this.envelope = envelope;
        this.tools = tools;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * @param deadline when the caller will be killed (Lambda's timeout), or {@link Deadline#NONE}: no check starts with
     *                 less than {@link Deadline.Margin#NEXT_CHECK} (or twice the longest check so far) left before it
     */
    public VerifyResult run(VerifyRequest request, String requestId, Deadline deadline) {
        Catalog catalog = new Catalog(repository);
        Catalog.Listing listing = catalog.list();
        Map<BackupId, Verification> latest = new Verifications(repository).latest();
        List<Manifest> due = VerifyPlan.select(listing.backups(), latest, clock.instant(), settings.window(),
                request.backupId());
        List<Manifest> left = new ArrayList<>();
        List<VerifyResult.Checked> checked = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Duration longest = Duration.ZERO;
        for (Manifest m : due) {
            Duration margin = Collections.max(List.of(longest.multipliedBy(2), Deadline.Margin.NEXT_CHECK.duration()));
            if (!deadline.hasLeft(margin)) {
                checked.add(new VerifyResult.Checked(m.backupId().value(), Verification.Outcome.skipped,
                        "not enough time left in this invocation; checked on the next run", null, null, List.of(), 0, null));
                left.add(m);
                continue;
            }
            Optional<String> differs = catalog.confirm(listing, m); // a copy from the catalog index: is it the manifest?
            if (differs.isPresent()) {
                checked.add(new VerifyResult.Checked(m.backupId().value(), Verification.Outcome.skipped, differs.get(), null,
                        null, List.of(), 0, null));
                failures.add("backup " + m.backupId() + ": " + differs.get());
                continue;
            }
            Verification v = check(m, Findings.predecessor(m, listing.backups()), requestId);
            ObjectKey key = null;
            try {
                key = Verifications.record(repository, v);
            } catch (RepositoryException e) { // e.g. refused (AccessDenied): the other backups are still checked
                failures.add("backup " + m.backupId() + ": its verification (" + v.outcome() + ") could not be recorded: "
                        + e.getMessage());
            }
            longest = longest.compareTo(Duration.ofMillis(v.durationMs())) > 0 ? longest : Duration.ofMillis(v.durationMs());
            checked.add(new VerifyResult.Checked(m.backupId().value(), v.outcome(), v.reason(), v.tables(), v.replica(),
                    v.anomalies(), v.durationMs(), key == null ? null : repository.uriOf(key)));
            if (v.outcome() == Verification.Outcome.failed) {
                failures.add("backup " + m.backupId() + " failed verification: " + v.reason());
            } else if (v.outcome() == Verification.Outcome.error) {
                failures.add("backup " + m.backupId() + " could not be verified (error, no verdict on the backup: its last"
                        + " verification stands): " + v.reason());
            }
            v.anomalies().forEach(a -> failures.add("backup " + m.backupId() + ": " + a));
        }
        listing.unreadable().forEach(u -> failures.add("unreadable manifest " + u));
        listing.foreign().forEach(k -> failures.add("foreign object " + k + " under manifests/ (not written by this tool;"
                + " ignored, the backups are unaffected): remove it"));

        failures.addAll(Findings.fromTheFuture(listing.backups(), clock.instant()));
        Optional<Manifest> newest = Findings.newestNotFromTheFuture(listing.backups(), clock.instant());
        List<String> staleSources = Findings.staleSources(listing.backups(), clock.instant(), settings.rpo());
        failures.addAll(staleSources);
        Optional<String> stale = staleSources.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", staleSources));
        VerifyResult.Freshness freshness = new VerifyResult.Freshness(newest.map(m -> m.backupId().value()).orElse(null),
                newest.map(m -> m.database().name()).orElse(null), newest.map(Manifest::startedAt).orElse(null), settings.rpo().toString(), stale.isEmpty(), stale.orElse(null));
        VerifyResult.Backlog backlog = backlog(left, latest);
        if (backlog.unverifiedSince() != null && backlog.unverifiedSince().isBefore(clock.instant().minus(maxUnverified))) {
            failures.add(backlog.count() + " backup(s) left unverified for the next run; " + backlog.oldestBackupId()
                    + " has had no verdict since " + backlog.unverifiedSince() + ", longer than BACKUP_VERIFY_MAX_UNVERIFIED ("
                    + maxUnverified + "): raise the verify function's timeout or run it more often until the backlog is gone");
        }
        VerifyResult result = new VerifyResult(checked, freshness, listing.unreadable(), failures, backlog);
        if (!result.ok()) {
            LOG.errorf("verify result: %s", Json.toString(result));
        }
        return result;
    }

    /** The backups left for the next run, and the one of them unverified the longest. */
    private VerifyResult.Backlog backlog(List<Manifest> left, Map<BackupId, Verification> latest) {
        Optional<Manifest> oldest = left.stream().min(java.util.Comparator.comparing((Manifest m) -> VerifyPlan.unverifiedSince(m, latest)));
        return new VerifyResult.Backlog(left.size(), oldest.map(m -> m.backupId().value()).orElse(null),
                oldest.map(m -> VerifyPlan.unverifiedSince(m, latest)).orElse(null), maxUnverified.toString());
    }

    /**
     * Checks one backup completely; never throws for a bad backup or a failing service. Returns {@code failed} with the
     * reasons when the backup (or its replica) is at fault, {@code error} when the check could not be completed for a
     * reason outside the backup (see {@link Verification}), else {@code passed}.
     */
    Verification check(Manifest m, Optional<Manifest> predecessor, String requestId) {
        Instant start = clock.instant();
        List<String> failures = new ArrayList<>(); // findings about the backup
        List<String> errors = new ArrayList<>(); // checks that could not be completed
        Integer tables = null;
        ObjectKey dataKey = ObjectKey.of(m.data().key());
        if (!envelope.unwraps(m.encryption().keyId())) { // configuration: the backup may be fine under its own key
            errors.add("the configured key " + envelope.keyId() + " cannot decrypt backup " + m.backupId() + ", encrypted under "
                    + m.encryption().keyId() + " (neither that key nor a multi-Region replica of it)");
        } else {
            WatchedRepository source = new WatchedRepository(repository);
            try (ContentCheck content = ContentCheck.start(m, envelope);
                 InputStream plain = content.tee(BackupReader.open(source, m, envelope))) {
                ArchiveCheck.Contents contents = ArchiveCheck.run(tools, plain);
                tables = contents.rows().size();
                failures.addAll(ArchiveCheck.differences(contents, m.tables()));
                failures.addAll(content.differences());
            } catch (NoSuchObjectException e) {
                failures.add("data object " + repository.uriOf(dataKey) + " is missing");
            } catch (ArchiveCheck.Failed | IOException | RuntimeException e) {
                Throwable unread = source.failure(); // the object was not delivered whole: whatever came after says nothing
                if (unread instanceof RepositoryException) {
                    errors.add(unread.getMessage());
                } else if (unread != null) {
                    errors.add("cannot read " + repository.uriOf(dataKey) + ": "
                            + (unread.getMessage() == null ? unread.getClass().getSimpleName() : unread.getMessage()));
                } else {
                    (Causes.infrastructure(e) ? errors : failures).add(e.getMessage());
                }
            }
            if (m.roles() != null) {
                checkRoles(m, failures, errors);
            }
        }
        if (failures.isEmpty() && !errors.isEmpty()) {
            storedObjectDiffers(m).ifPresent(failures::add);
        }
        String replicaState = "not configured";
        if (replica.isPresent()) {
            Replica r = checkReplica(replica.get(), m, clock.instant());
            replicaState = r.state();
            if (r.problem() != null) {
                (r.state().equals(Replica.UNREADABLE) ? errors : failures).add(r.problem());
            }
        }
        List<String> anomalies = Findings.anomalies(m, predecessor, settings);
        long ms = Duration.between(start, clock.instant()).toMillis();
        Verification.Outcome outcome = !failures.isEmpty() ? Verification.Outcome.failed
                : !errors.isEmpty() ? Verification.Outcome.error : Verification.Outcome.passed;
        List<String> reasons = new ArrayList<>(failures);
        reasons.addAll(errors);
        String reason = reasons.isEmpty() ? null : String.join("; ", reasons);
        LOG.infof("verified %s: %s%s", m.backupId(), outcome, reason == null ? "" : " (" + reason + ")");
        return new Verification(m.backupId(), clock.instant(), outcome, reason, tables, replicaState, anomalies, ms, requestId);
    }

    /**
     * The roles object (manifests since roles are captured): read whole through the same checks as the data (size and
     * SHA-256 against the manifest, encryption context, every frame, zstd's checksum).
     */
    private void checkRoles(Manifest m, List<String> failures, List<String> errors) {
        ObjectKey key = ObjectKey.of(m.roles().object().key());
        WatchedRepository source = new WatchedRepository(repository);
        try (InputStream plain = BackupReader.open(source, m, m.roles().object(), envelope)) {
            long n = plain.transferTo(OutputStream.nullOutputStream());
            if (n != m.roles().object().plainBytes()) {
                failures.add("roles object " + repository.uriOf(key) + " holds " + n + " bytes, the manifest says "
                        + m.roles().object().plainBytes());
            }
        } catch (NoSuchObjectException e) {
            failures.add("roles object " + repository.uriOf(key) + " is missing");
        } catch (IOException | RuntimeException e) {
            Throwable unread = source.failure();
            if (unread != null) {
                errors.add("cannot read " + repository.uriOf(key) + ": " + unread.getMessage());
            } else {
                (Causes.infrastructure(e) ? errors : failures).add("roles object: " + e.getMessage());
            }
        }
    }

    /**
     * When the data object could not be checked (an error: KMS refused, a service failed), its size and SHA-256, which
     * need no key, still tell whether it is the object the manifest describes. A damaged header, for instance, makes KMS
     * answer AccessDenied (the encryption context it is given no longer matches the key policy's condition): that must
     * be a failed backup, not an error that leaves its last pass standing. Empty when it matches or cannot be read.
     */
    private Optional<String> storedObjectDiffers(Manifest m) {
        try {
            Optional<ObjectInfo> info = repository.stat(ObjectKey.of(m.data().key()));
            return info.isEmpty() ? Optional.empty() : differs(repository, info.get().size(), m.data()).map(d -> "data object " + d);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // no verdict either way: the error stands
        }
    }

    /** {@code missing} or {@code different}: a finding; {@code unreadable} (a repository error): no verdict. */
    private record Replica(String state, String problem) {
        static final String UNREADABLE = "unreadable";
    }

    /**
     * The replica must hold every object the manifest commits ({@link Manifest#committedObjects}: the data object and,
     * since roles are captured, the roles object; each compared by size and a SHA-256 streamed from it) and the same
     * manifest: a restore from the replica needs all of them.
     */
    private Replica checkReplica(ReadableRepository replica, Manifest m, Instant now) {
        ObjectKey manifestKey = Layout.manifest(m.backupId());
        boolean young = m.finishedAt().isAfter(now.minus(VerifySettings.REPLICATION_GRACE));
        try {
            List<String> missing = new ArrayList<>();
            Map<Manifest.Committed, ObjectInfo> present = new java.util.LinkedHashMap<>();
            for (Manifest.Committed c : m.committedObjects()) {
                ObjectKey key = ObjectKey.of(c.object().key());
                replica.stat(key).ifPresentOrElse(info -> present.put(c, info),
                        () -> missing.add(c.describe() + " " + replica.uriOf(key)));
            }
            if (replica.stat(manifestKey).isEmpty()) {
                missing.add("manifest " + replica.uriOf(manifestKey));
            }
            if (!missing.isEmpty()) {
                return young ? new Replica("pending", null)
                        : new Replica("missing", "replica missing: " + String.join(" and ", missing)
                        + (missing.size() == 1 ? " does not exist" : " do not exist"));
            }
            for (Map.Entry<Manifest.Committed, ObjectInfo> e : present.entrySet()) {
                Optional<String> differs = differs(replica, e.getValue().size(), e.getKey().object());
                if (differs.isPresent()) {
                    return new Replica("different", "replica differs: " + differs.get());
                }
            }
            if (!Arrays.equals(replica.read(manifestKey), repository.read(manifestKey))) {
                return new Replica("different", "replica differs: " + replica.uriOf(manifestKey) + " is not the same manifest");
            }
            return new Replica("identical", null);
        } catch (IOException | RuntimeException e) {
            return new Replica(Replica.UNREADABLE, "replica unreadable: " + e.getMessage());
        }
    }

    /**
     * Whether {@code repo}'s copy of {@code object} (of {@code size} bytes) differs from what the manifest says:
     * "&lt;uri&gt; has N bytes, the manifest says M", or, same size, the SHA-256 streamed from it.
     */
    private static Optional<String> differs(ReadableRepository repo, long size, Manifest.DataObject object) throws IOException {
        ObjectKey key = ObjectKey.of(object.key());
        if (size != object.storedBytes()) {
            return Optional.of(repo.uriOf(key) + " has " + size + " bytes, the manifest says " + object.storedBytes());
        }
        String sha = StreamDigest.of(repo.open(key)).sha256Hex(); // read to its end and closed
        return sha.equals(object.sha256()) ? Optional.empty()
                : Optional.of(repo.uriOf(key) + " has SHA-256 " + sha + ", the manifest says " + object.sha256());
    }
}
