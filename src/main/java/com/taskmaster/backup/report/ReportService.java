package com.taskmaster.backup.report;

import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.report.ReadinessInput.Settings;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.PublishingRepository;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;

/**
 * The {@code report} command: reads the repository ({@link ReadinessInputs}), assesses it ({@link Readiness#assess}),
 * renders the page ({@link ReadinessPage#render}) and writes it to {@code reports/readiness/<yyyy-MM-dd>.html}, then to
 * {@code latest.html} (in that order: latest never names a day that was not written). It writes nothing else.
 */
public final class ReportService {
    private static final Logger LOG = Logger.getLogger(ReportService.class);

    private final PublishingRepository repository;
    private final Settings settings;
    private final String replica;
    private final String databaseName;
    private final Clock clock;

    /**
     * @param replica      the replica repository's URI (BACKUP_REPLICA_REPOSITORY), or null
     * @param databaseName the database's name when no backup names it yet (BACKUP_DATABASE_NAME), or null
     */
    public ReportService(PublishingRepository repository, Settings settings, String replica, String databaseName, Clock clock) {
        if (!Layout.READINESS_REPORTS.equals(repository.publishPrefix())) {
            throw new IllegalArgumentException("the report writes under " + Layout.READINESS_REPORTS + ", not " + repository.publishPrefix());
        }
        this.repository = repository;
        this.settings = settings;
        this.replica = replica;
        this.databaseName = databaseName;
        this.clock = clock;
    }

    public ReportResult run() {
        Instant now = clock.instant();
        ReadinessInputs.Read read = new ReadinessInputs(repository).read(settings, replica, databaseName, now);
        read.unreadable().forEach(u -> LOG.warnf("report: skipping unreadable record %s", u));
        Readiness readiness = Readiness.assess(read.input(), now);
        byte[] page = ReadinessPage.render(readiness).getBytes(StandardCharsets.UTF_8);
        ObjectKey day = Layout.readinessReport(now);
        repository.publish(day, page);
        repository.publish(Layout.READINESS_LATEST, page);
        ReportResult result = ReportResult.of(readiness, repository.uriOf(day), repository.uriOf(Layout.READINESS_LATEST), page.length,
                read.unreadable());
        LOG.infof("report: %s (%d bytes, %s)", result.report(), page.length, result.ready() ? "ready" : "NOT READY: " + result.failures());
        return result;
    }
}
