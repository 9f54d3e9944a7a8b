package com.taskmaster.backup.drdrill;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.ScratchDatabases;
import com.taskmaster.backup.format.ScratchRestore;
import com.taskmaster.backup.format.SmokeQueries;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.repository.AppendOnlyRepository;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Redactor;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One drill: find the newest backup in the replica repository whose data object is there too, measure its age (the
 * achieved RPO, replication lag included), open the replica key, restore the backup into a scratch database and prove
 * it ({@link ScratchRestore}, as restore-test does), measure the restore against the RTO, write the report under
 * {@code reports/dr-drill/} of the replica repository, and fail when anything failed or an objective was missed.
 *
 * <p>Everything it reaches is given to it: the replica repository and the replica key (clients of the drill's own
 * region), the restore-test server. It never opens the primary repository, the primary key or the source database.
 */
public final class DrDrillService {
    public static final String SCRATCH_PREFIX = "tmb_dr_drill_";
    private static final Logger LOG = Logger.getLogger(DrDrillService.class);

    private final AppendOnlyRepository replica;
    private final Supplier<Envelope> replicaKey;
    private final PgTools tools;
    private final DbCredentials server;
    private final List<DbCredentials> sources;
    private final List<String> smokeQueries;
    private final Duration rpo;
    private final Duration rto;
    private final String region;
    private final Clock clock;

    /**
     * @param replica    the replica repository: read, and written only under {@code reports/dr-drill/}
     * @param replicaKey opens the replica key (KMS in the drill's region); a key that cannot be opened fails the drill
     * @param server     the restore-test server's maintenance database
     * @param sources    databases whose servers must never be the scratch server (BACKUP_DB_*, when configured)
     * @param region     the drill's region, for the report
     */
    public DrDrillService(AppendOnlyRepository replica, Supplier<Envelope> replicaKey, PgTools tools, DbCredentials server,
                          List<DbCredentials> sources, List<String> smokeQueries, Duration rpo, Duration rto, String region, Clock clock) {
        this.replica = replica;
        this.replicaKey = replicaKey;
        this.tools = tools;
        this.server = server;
        this.sources = List.copyOf(sources);
        this.smokeQueries = List.copyOf(smokeQueries);
        this.rpo = rpo;
        this.rto = rto;
        this.region = region;
        this.clock = clock;
    }

    /** The chosen backup and when its objects reached the replica; the newer ones whose data object is not there. */
    record Choice(Manifest backup, Instant replicatedAt, List<String> notReplicated) {
    }

    /**
     * @param deadline when Lambda kills the invocation ({@link Deadline#NONE} without one)
     * @throws DrDrillFailedException when anything failed or an objective was missed (after the report is written)
     */
    public DrDrillReport run(Deadline deadline) {
        Instant started = clock.instant();
        Run run = new Run(started);
        Optional<Choice> choice = choose(run);
        choice.ifPresent(c -> drill(c, run, deadline));
        DrDrillReport written = write(run.build());
        LOG.info(written.summary());
        if (!written.passed()) {
            throw new DrDrillFailedException("the drill " + (run.backup == null ? "" : "of backup " + run.backup.backupId() + " ")
                    + "failed: " + String.join(" | ", written.failures()) + " (report: " + written.report() + ")", written);
        }
        return written;
    }

    /** The newest backup whose manifest and every object it commits ({@link Manifest#committedObjects}) are in the replica. */
    private Optional<Choice> choose(Run run) {
        List<Manifest> newestFirst;
        Catalog catalog = new Catalog(replica);
        Catalog.Listing listing;
        try {
            listing = catalog.list();
            newestFirst = listing.backups();
        } catch (RuntimeException e) {
            run.failures.add("cannot read the replica repository " + replica.uri() + ": " + Redactor.redact(e.getMessage()));
            return Optional.empty();
        }
        List<String> notReplicated = new ArrayList<>();
        for (Manifest m : newestFirst) {
            Optional<ObjectInfo> manifest = replica.stat(Layout.manifest(m.backupId()));
            Instant at = manifest.map(ObjectInfo::lastModified).orElse(null);
            List<String> missing = new ArrayList<>();
            for (Manifest.Committed c : m.committedObjects()) {
                Optional<ObjectInfo> o = replica.stat(ObjectKey.of(c.object().key()));
                if (o.isEmpty()) {
                    missing.add(c.describe() + " " + c.object().key());
                } else if (at == null || o.get().lastModified().isAfter(at)) {
                    at = o.get().lastModified();
                }
            }
            if (missing.isEmpty()) {
                Optional<String> differs = catalog.confirm(listing, m);
                if (differs.isPresent()) {
                    run.failures.add(differs.get());
                    return Optional.empty();
                }
                run.notReplicated = notReplicated;
                return Optional.of(new Choice(m, at, notReplicated));
            }
            notReplicated.add(m.backupId() + ": " + String.join(" and ", missing) + " not in the replica");
        }
        run.notReplicated = notReplicated;
        run.failures.add("the replica repository " + replica.uri() + " holds no complete backup (manifest and every object it commits)"
                + (newestFirst.isEmpty() ? "" : ": " + String.join("; ", notReplicated))
                + ": the replica is missing; check the bucket's replication (status, IAM role, the replica key)");
        return Optional.empty();
    }

    private void drill(Choice choice, Run run, Deadline deadline) {
        Manifest m = choice.backup();
        run.backup = m;
        run.replicatedAt = choice.replicatedAt();
        Duration lag = Duration.between(m.finishedAt(), choice.replicatedAt());
        run.replicationLag = lag.isNegative() ? Duration.ZERO : lag; // S3 keeps whole seconds
        run.achievedRpo = Duration.between(m.startedAt(), run.started);
        run.rpoMet = run.achievedRpo.compareTo(rpo) <= 0;
        if (!run.rpoMet) {
            run.failures.add("the RPO of " + rpo + " is missed: the newest replicated backup " + m.backupId() + " was taken "
                    + run.achievedRpo + " ago (replication lag " + run.replicationLag + ")" + (run.notReplicated.isEmpty() ? ""
                    : "; newer backups not (yet) replicated: " + String.join("; ", run.notReplicated)));
        }
        Envelope key;
        try {
            key = replicaKey.get();
        } catch (RuntimeException e) {
            run.failures.add("the replica key cannot be used: " + Redactor.redact(e.getMessage()) + "; nothing was restored");
            return;
        }
        run.keyId = key.keyId();
        if (!key.unwraps(m.encryption().keyId())) {
            run.failures.add("the replica key " + key.keyId() + " cannot unwrap backup " + m.backupId() + "'s data key (wrapped under "
                    + m.encryption().keyId() + "): not that key's multi-Region replica; nothing was restored");
            return;
        }
        Deadline checks = deadline.minus(Deadline.Margin.CHECKS);
        Optional<String> refused;
        try {
            refused = ScratchRestore.sourceServer(server, new ScratchDatabases(server).systemIdentifier(checks), m.database(), sources);
        } catch (RuntimeException e) {
            run.failures.add("cannot reach the restore-test server " + server.describe() + ": " + Redactor.redact(e.getMessage()));
            return;
        }
        if (refused.isPresent()) {
            run.failures.add("refusing to drill on " + server.describe() + ": " + refused.get() + "; point RESTORE_TEST_DB_URL or "
                    + "RESTORE_TEST_DB_SECRET_ARN at a separate server; nothing was created");
            return;
        }
        try { // what a drill killed mid-way left (marked by this tool, named like a drill's, older than a day)
            run.leftoversDropped = new ScratchDatabases(server).dropLeftovers(SCRATCH_PREFIX, run.started, checks);
        } catch (RuntimeException e) {
            run.failures.add("could not clean up earlier drills' scratch databases: " + Redactor.redact(e.getMessage()));
        }
        run.scratch = ScratchDatabases.name(SCRATCH_PREFIX, run.started);
        LOG.infof("dr-drill: backup %s from %s, decrypted with %s, into scratch database %s on %s:%d", m.backupId(), replica.uri(),
                key.keyId(), run.scratch, server.host(), server.port());
        run.outcome = ScratchRestore.run(new DatabaseRestore(replica, key, tools, clock), server, m, run.scratch, smokeQueries, deadline);
        run.failures.addAll(run.outcome.failures());
        if (run.outcome.restored() != null) {
            // The source database (primary region) is never contacted: the newest backup is the database's size as of it.
            run.timing = ScratchRestore.timing(run.outcome.restored(), m.data().plainBytes(), null,
                    run.outcome.restoredDatabaseBytes(), rto);
            if (run.timing.failure() != null) {
                run.failures.add(run.timing.failure());
            }
        }
    }

    /** Writes the report (JSON) and its summary (text) under reports/dr-drill/; a report that cannot be written fails the drill. */
    private DrDrillReport write(DrDrillReport report) {
        Instant started = report.startedAt();
        var id = report.backupId() == null ? null : com.taskmaster.backup.format.BackupId.parse(report.backupId());
        ObjectKey json = Layout.drDrillReport(started, id, "json");
        DrDrillReport named = report.stored(replica.uriOf(json), null);
        try {
            replica.putIfAbsent(json, named.toJson());
            replica.putIfAbsent(Layout.drDrillReport(started, id, "txt"), named.summary().getBytes(StandardCharsets.UTF_8));
            return named;
        } catch (RuntimeException e) {
            LOG.errorf("cannot write the dr-drill report %s: %s", json, e.getMessage());
            return report.stored(null, "the report could not be written to " + replica.uriOf(json) + ": "
                    + Redactor.redact(e.getMessage()));
        }
    }

    /** What the drill learns as it goes. */
    private final class Run {
        final Instant started;
        final List<String> failures = new ArrayList<>();
        List<String> notReplicated = List.of();
        List<String> leftoversDropped;
        Manifest backup;
        Instant replicatedAt;
        Duration replicationLag;
        Duration achievedRpo;
        Boolean rpoMet;
        String keyId;
        String scratch;
        ScratchRestore.Outcome outcome;
        ScratchRestore.Timing timing;

        Run(Instant started) {
            this.started = started;
        }

        DrDrillReport build() {
            DatabaseRestore.Restored restored = outcome == null ? null : outcome.restored();
            List<SmokeQueries.Outcome> smoke = outcome == null ? null : outcome.smokeQueries();
            return new DrDrillReport(failures.isEmpty() ? "passed" : "failed", failures, started, region, replica.uri(), keyId,
                    backup == null ? null : backup.backupId().value(), backup == null ? null : backup.encryption().keyId(),
                    backup == null ? null : backup.startedAt(), backup == null ? null : backup.finishedAt(), notReplicated,
                    replicatedAt, text(replicationLag), text(achievedRpo), rpo.toString(), rpoMet,
                    scratch == null ? null : server.host() + ":" + server.port(), scratch,
                    restored == null ? null : restored.tablesRestored(), restored == null ? null : restored.proof(), smoke,
                    restored == null ? null : restored.durationMs(), backup == null ? null : backup.data().plainBytes(),
                    outcome == null ? null : outcome.restoredDatabaseBytes(), timing == null ? null : timing.throughputMiBps(),
                    timing == null ? null : timing.estimate().toString(), rto.toString(), timing == null ? null : timing.rtoMet(),
                    outcome == null ? null : outcome.scratchDropped(), leftoversDropped, null,
                    backup == null ? null : backup.database().name(),
                    restored == null ? null : restored.tables());
        }

        private static String text(Duration d) {
            return d == null ? null : d.toString();
        }
    }
}
