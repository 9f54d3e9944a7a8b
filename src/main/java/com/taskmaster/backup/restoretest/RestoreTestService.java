package com.taskmaster.backup.restoretest;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Verifications;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.AppendOnlyRepository;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.support.Deadline;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One restore-test run: plan (nothing touched yet; refusals happen here), drop scratch databases that crashed runs
 * left, create the scratch database, restore into it ({@link DatabaseRestore}: fingerprints proven), run the smoke
 * queries, measure, and in every case drop the scratch database; then write the report and fail if anything failed.
 */
public final class RestoreTestService {
    private static final Logger LOG = Logger.getLogger(RestoreTestService.class);

    private final AppendOnlyRepository repository;
    private final DatabaseRestore restorer;
    private final DbCredentials server;
    private final List<DbCredentials> sources;
    private final List<String> smokeQueries;
    private final Duration rto;
    private final Clock clock;

    /**
     * @param server  the restore-test server's maintenance database
     * @param sources the source database(s) (BACKUP_DB_*), never to be used, and measured for the extrapolation
     */
    public RestoreTestService(AppendOnlyRepository repository, DatabaseRestore restorer, DbCredentials server, List<DbCredentials> sources,
                              List<String> smokeQueries, Duration rto, Clock clock) {
        this.repository = repository;
        this.restorer = restorer;
        this.server = server;
        this.sources = List.copyOf(sources);
        this.smokeQueries = List.copyOf(smokeQueries);
        this.rto = rto;
        this.clock = clock;
    }

    /**
     * @param deadline when Lambda kills the invocation ({@link Deadline#NONE} without one). pg_restore is stopped, and no
     *                 smoke query starts, {@link Deadline.Margin#WORK} before it; every query after pg_restore ends
     *                 {@link Deadline.Margin#CHECKS} before it, and the drop {@link Deadline.Margin#CLEANUP} before it, so
     *                 the scratch database is dropped and the report written in time (a run that ran out of time fails,
     *                 saying so)
     */
    public RestoreTestReport run(Optional<BackupId> requested, Deadline deadline) {
        Instant started = clock.instant();
        Deadline work = deadline.minus(Deadline.Margin.WORK);
        Deadline checks = deadline.minus(Deadline.Margin.CHECKS);
        RestoreTestPlan plan = RestoreTestPlan.plan(new Catalog(repository).list().backups(), new Verifications(repository).latest(),
                requested, server, sources, started);
        LOG.infof("restore-test: backup %s%s into scratch database %s on %s", plan.backup().backupId(),
                plan.verified() ? " (verified)" : " (not verified)", plan.scratchDatabase(), plan.server());
        ScratchDatabases scratch = new ScratchDatabases(server);
        List<String> failures = new ArrayList<>();
        List<String> leftovers = dropLeftovers(scratch, started, failures, checks);
        Long sourceBytes = sourceSize(checks);

        DatabaseRestore.Restored restored = null;
        List<SmokeQueries.Outcome> smoke = null;
        Long restoredBytes = null;
        boolean created = false;
        boolean dropped = false;
        try {
            try {
                scratch.create(plan.scratchDatabase(), work);
            } catch (Deadline.Exceeded e) {
                created = true; // stopped midway, it may exist: DROP DATABASE IF EXISTS covers both
                throw e;
            }
            created = true;
            DbCredentials target = server.withDatabase(plan.scratchDatabase());
            restored = restorer.into(plan.backup(), target, false, deadline);
            restoredBytes = ScratchDatabases.size(target, checks);
            smoke = SmokeQueries.run(target, smokeQueries, work, checks);
            smoke.stream().filter(o -> !o.passed()).forEach(o -> failures.add(o.failure()));
        } catch (RuntimeException e) {
            failures.add(e.getMessage());
        } finally {
            if (created) {
                try {
                    scratch.drop(plan.scratchDatabase(), deadline.minus(Deadline.Margin.CLEANUP));
                    dropped = true;
                } catch (RuntimeException e) {
                    failures.add("scratch database " + plan.scratchDatabase() + " could not be dropped (drop it by hand): " + e.getMessage());
                }
            } else {
                dropped = true; // never created
            }
        }

        Duration restoreTime = restored == null ? null : Duration.ofMillis(restored.durationMs());
        Duration estimate = null;
        Boolean rtoMet = null;
        Double mibps = null;
        if (restoreTime != null) {
            estimate = sourceBytes != null && restoredBytes != null && restoredBytes > 0
                    ? Duration.ofMillis((long) (restoreTime.toMillis() * (double) sourceBytes / restoredBytes))
                    : restoreTime;
            rtoMet = restoreTime.compareTo(rto) <= 0 && estimate.compareTo(rto) <= 0;
            if (!rtoMet) {
                failures.add("the RTO of " + rto + " would be missed: restoring took " + restoreTime + ", estimated " + estimate
                        + " at the source database's current size");
            }
            mibps = plan.backup().data().plainBytes() / 1048576.0 / Math.max(0.001, restoreTime.toMillis() / 1000.0);
        }
        RestoreTestReport report = new RestoreTestReport(failures.isEmpty() ? "passed" : "failed", failures,
                plan.backup().backupId().value(), plan.backup().startedAt(), plan.verified(), plan.server(), plan.scratchDatabase(),
                started, restored == null ? null : restored.tablesRestored(), restored == null ? null : Boolean.TRUE,
                restored == null ? null : restored.roles(), smoke, restored == null ? null : restored.durationMs(),
                plan.backup().data().plainBytes(), restoredBytes, sourceBytes, mibps, estimate == null ? null : estimate.toString(), rto.toString(),
                rtoMet, dropped, leftovers, null, plan.backup().database().name());
        report = write(report, started, plan);
        LOG.info(report.summary());
        if (!report.passed()) {
            throw new RestoreTestFailedException("restore-test of backup " + plan.backup().backupId() + " failed: "
                    + String.join(" | ", failures) + " (report: " + report.report() + ")", report);
        }
        return report;
    }

    private List<String> dropLeftovers(ScratchDatabases scratch, Instant now, List<String> failures, Deadline limit) {
        List<String> dropped = new ArrayList<>();
        try {
            for (String name : RestoreTestPlan.leftovers(scratch.databases(limit), now)) {
                scratch.drop(name, limit);
                dropped.add(name);
            }
        } catch (RuntimeException e) {
            failures.add("could not clean up earlier scratch databases: " + e.getMessage());
        }
        return dropped;
    }

    /** The source database's current size, for the extrapolation; null when it is not configured or not reachable. */
    private Long sourceSize(Deadline limit) {
        for (DbCredentials source : sources) {
            try {
                return ScratchDatabases.size(source, limit);
            } catch (RuntimeException e) {
                LOG.warnf("cannot measure the source database for the RTO extrapolation: %s", e.getMessage());
            }
        }
        return null;
    }

    private RestoreTestReport write(RestoreTestReport report, Instant started, RestoreTestPlan plan) {
        ObjectKey json = Layout.restoreTestReport(started, plan.backup().backupId(), "json");
        RestoreTestReport withUri = report.withReport(repository.uriOf(json));
        try {
            repository.putIfAbsent(json, withUri.toJson());
            repository.putIfAbsent(Layout.restoreTestReport(started, plan.backup().backupId(), "txt"), withUri.summary().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.errorf("cannot write the restore-test report %s: %s", json, e.getMessage());
            List<String> failures = new ArrayList<>(report.failures());
            failures.add("the report could not be written to " + repository.uriOf(json) + ": " + e.getMessage());
            return new RestoreTestReport("failed", failures, report.backupId(), report.backupTakenAt(), report.verified(),
                    report.server(), report.scratchDatabase(), report.startedAt(), report.tablesRestored(), report.fingerprintsEqual(),
                    report.roles(), report.smokeQueries(), report.restoreMs(), report.plainBytes(), report.restoredDatabaseBytes(),
                    report.sourceDatabaseBytes(), report.throughputMiBps(), report.estimatedFullRestore(), report.rto(),
                    report.rtoMet(), report.scratchDropped(), report.leftoversDropped(), null, report.database());
        }
        return withUri;
    }
}
