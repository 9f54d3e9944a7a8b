package com.taskmaster.backup.restoretest;

import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.RoleHandling;
import com.taskmaster.backup.format.Verifications;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.ServerRoles;
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

/**
 * One restore-test run: plan (nothing touched yet; refusals happen here), drop scratch databases that crashed runs
 * left, create the scratch database, restore into it ({@link DatabaseRestore}: fingerprints proven; owners and
 * privileges restored, the backup's roles the server lacks created NOLOGIN), run the smoke queries, measure, and in
 * every case drop the scratch database, then the roles created for it; then write the report and fail if anything failed.
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
    public RestoreTestReport run(RestoreTestRequest request, Deadline deadline) {
        Instant started = clock.instant();
        Deadline checks = deadline.minus(Deadline.Margin.CHECKS);
        ScratchDatabases scratch = new ScratchDatabases(server);
        RestoreTestPlan plan = RestoreTestPlan.plan(new Catalog(repository).list().backups(), new Verifications(repository).latest(),
                request.backupId(), server, scratch.systemIdentifier(checks), sources, started);
        LOG.infof("restore-test: backup %s%s into scratch database %s on %s", plan.backup().backupId(),
                plan.verified() ? " (verified)" : " (not verified)", plan.scratchDatabase(), plan.server());
        RestoreTestReport.Builder report = RestoreTestReport.builder().plan(plan).startedAt(started);
        report.leftoversDropped(dropLeftovers(scratch, started, report, checks));
        report.sourceDatabaseBytes(sourceSize(checks));
        restoreAndCheck(plan, scratch, report, deadline);
        measure(plan, report);
        List<String> failures = report.failures();
        RestoreTestReport written = write(report, started, plan);
        LOG.info(written.summary());
        if (!written.passed()) {
            throw new RestoreTestFailedException("restore-test of backup " + plan.backup().backupId() + " failed: "
                    + String.join(" | ", failures) + " (report: " + written.report() + ")", written);
        }
        return written;
    }

    /** Creates the scratch database, restores into it, measures it and runs the smoke queries; in every case drops it. */
    private void restoreAndCheck(RestoreTestPlan plan, ScratchDatabases scratch, RestoreTestReport.Builder report, Deadline deadline) {
        Deadline work = deadline.minus(Deadline.Margin.WORK);
        Deadline checks = deadline.minus(Deadline.Margin.CHECKS);
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
            report.restored(restorer.into(plan.backup(), target, false, RoleHandling.CREATE_MISSING, deadline));
            report.restoredDatabaseBytes(ScratchDatabases.size(target, checks));
            List<SmokeQueries.Outcome> smoke = SmokeQueries.run(target, smokeQueries, work, checks);
            report.smokeQueries(smoke);
            smoke.stream().filter(o -> !o.passed()).forEach(o -> report.failure(o.failure()));
        } catch (RuntimeException e) {
            report.failure(e.getMessage());
        } finally {
            if (created) {
                try {
                    scratch.drop(plan.scratchDatabase(), deadline.minus(Deadline.Margin.CLEANUP));
                    dropped = true;
                } catch (RuntimeException e) {
                    report.failure("scratch database " + plan.scratchDatabase() + " could not be dropped (drop it by hand): " + e.getMessage());
                }
            } else {
                dropped = true; // never created
            }
            report.scratchDropped(dropped);
            dropCreatedRoles(report, dropped, deadline.minus(Deadline.Margin.CLEANUP));
        }
    }

    /**
     * The roles the restore created on the restore-test server (the backup's roles it lacked), dropped once the scratch
     * database, the only place they own anything, is gone: the server is left as it was found.
     */
    private void dropCreatedRoles(RestoreTestReport.Builder report, boolean scratchDropped, Deadline limit) {
        DatabaseRestore.Restored restored = report.restored();
        if (restored == null || restored.roles() == null || restored.roles().created().isEmpty()) {
            return;
        }
        List<String> created = restored.roles().created();
        if (!scratchDropped) {
            report.failure("roles " + created + " created for the restore were not dropped (the scratch database still exists): "
                    + "drop both by hand");
            return;
        }
        try {
            ServerRoles.drop(server, created, limit);
            LOG.infof("restore-test: dropped the roles created for the restore: %s", created);
        } catch (RuntimeException e) {
            report.failure("roles " + created + " created for the restore could not be dropped (drop them by hand): " + e.getMessage());
        }
    }

    /** The restore time against the RTO, extrapolated to the source database's current size. */
    private void measure(RestoreTestPlan plan, RestoreTestReport.Builder report) {
        DatabaseRestore.Restored restored = report.restored();
        if (restored == null) {
            report.timing(null, null, rto, null);
            return;
        }
        Duration restoreTime = Duration.ofMillis(restored.durationMs());
        Long sourceBytes = report.sourceDatabaseBytes();
        Long restoredBytes = report.restoredDatabaseBytes();
        Duration estimate = sourceBytes != null && restoredBytes != null && restoredBytes > 0
                ? Duration.ofMillis((long) (restoreTime.toMillis() * (double) sourceBytes / restoredBytes))
                : restoreTime;
        boolean rtoMet = restoreTime.compareTo(rto) <= 0 && estimate.compareTo(rto) <= 0;
        if (!rtoMet) {
            report.failure("the RTO of " + rto + " would be missed: restoring took " + restoreTime + ", estimated " + estimate
                    + " at the source database's current size");
        }
        double mibps = plan.backup().data().plainBytes() / 1048576.0 / Math.max(0.001, restoreTime.toMillis() / 1000.0);
        report.timing(mibps, estimate, rto, rtoMet);
    }

    private List<String> dropLeftovers(ScratchDatabases scratch, Instant now, RestoreTestReport.Builder report, Deadline limit) {
        List<String> dropped = new ArrayList<>();
        try {
            for (String name : RestoreTestPlan.leftovers(scratch.markedDatabases(limit), now)) {
                scratch.drop(name, limit);
                dropped.add(name);
            }
        } catch (RuntimeException e) {
            report.failure("could not clean up earlier scratch databases: " + e.getMessage());
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

    /** Writes the report (JSON) and its summary (text) under reports/restore-test/; a report that cannot be written fails the run. */
    private RestoreTestReport write(RestoreTestReport.Builder report, Instant started, RestoreTestPlan plan) {
        ObjectKey json = Layout.restoreTestReport(started, plan.backup().backupId(), "json");
        RestoreTestReport named = report.report(repository.uriOf(json)).build();
        try {
            repository.putIfAbsent(json, named.toJson());
            repository.putIfAbsent(Layout.restoreTestReport(started, plan.backup().backupId(), "txt"),
                    named.summary().getBytes(StandardCharsets.UTF_8));
            return named;
        } catch (RuntimeException e) {
            LOG.errorf("cannot write the restore-test report %s: %s", json, e.getMessage());
            return report.failure("the report could not be written to " + repository.uriOf(json) + ": " + e.getMessage())
                    .report(null).build();
        }
    }
}
