package com.taskmaster.backup.restoretest;

import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.ScratchDatabases;
import com.taskmaster.backup.format.ScratchRestore;
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
    public RestoreTestReport run(RestoreTestRequest request, Deadline deadline) {
        Instant started = clock.instant();
        Deadline checks = deadline.minus(Deadline.Margin.CHECKS);
        ScratchDatabases scratch = new ScratchDatabases(server);
        Catalog catalog = new Catalog(repository);
        Catalog.Listing listing = catalog.list();
        RestoreTestPlan plan = RestoreTestPlan.plan(listing.backups(), new Verifications(repository).latest(),
                request.backupId(), server, scratch.systemIdentifier(checks), sources, started);
        catalog.confirmed(listing, plan.backup());
        LOG.infof("restore-test: backup %s%s into scratch database %s on %s", plan.backup().backupId(),
                plan.verified() ? " (verified)" : " (not verified)", plan.scratchDatabase(), plan.server());
        RestoreTestReport.Builder report = RestoreTestReport.builder().plan(plan).startedAt(started);
        report.leftoversDropped(dropLeftovers(scratch, started, report, checks));
        report.sourceDatabaseBytes(sourceSize(checks));
        restoreAndCheck(plan, report, deadline);
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
    private void restoreAndCheck(RestoreTestPlan plan, RestoreTestReport.Builder report, Deadline deadline) {
        ScratchRestore.Outcome o = ScratchRestore.run(restorer, server, plan.backup(), plan.scratchDatabase(), smokeQueries, deadline);
        report.restored(o.restored());
        report.restoredDatabaseBytes(o.restoredDatabaseBytes());
        report.smokeQueries(o.smokeQueries());
        o.failures().forEach(report::failure);
        report.scratchDropped(o.scratchDropped());
    }

    /** The restore time against the RTO, extrapolated to the source database's current size. */
    private void measure(RestoreTestPlan plan, RestoreTestReport.Builder report) {
        if (report.restored() == null) {
            report.timing(null, null, rto, null);
            return;
        }
        ScratchRestore.Timing t = ScratchRestore.timing(report.restored(), plan.backup().data().plainBytes(),
                report.sourceDatabaseBytes(), report.restoredDatabaseBytes(), rto);
        if (t.failure() != null) {
            report.failure(t.failure());
        }
        report.timing(t.throughputMiBps(), t.estimate(), rto, t.rtoMet());
    }

    private List<String> dropLeftovers(ScratchDatabases scratch, Instant now, RestoreTestReport.Builder report, Deadline limit) {
        List<String> dropped = new ArrayList<>();
        try {
            dropped.addAll(scratch.dropLeftovers(RestoreTestPlan.SCRATCH_PREFIX, now, limit));
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
