package com.taskmaster.backup.prune;

/**
 * Some deletions of a prune run failed; the others were done and recorded. The message names every failure.
 * Running prune again retries them (deletion is idempotent).
 */
public class PruneFailedException extends RuntimeException {
    private final PruneReport report;

    public PruneFailedException(PruneReport report) {
        super(report.failures().size() + " deletion(s) failed in " + report.repository() + " (run prune again to retry; audit "
                + report.audit() + "): " + String.join("; ", report.failures()));
        this.report = report;
    }

    public PruneReport report() {
        return report;
    }
}
