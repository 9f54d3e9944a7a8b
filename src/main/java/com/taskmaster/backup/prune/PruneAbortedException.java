package com.taskmaster.backup.prune;

/** An interlock stopped a real prune run before it deleted anything; the message names the interlocks. */
public class PruneAbortedException extends RuntimeException {
    private final PruneReport report;

    public PruneAbortedException(PruneReport report) {
        super("prune aborted, nothing deleted, in " + report.repository() + ": " + String.join("; ", report.interlocks())
                + " (audit record " + report.audit() + ")");
        this.report = report;
    }

    public PruneReport report() {
        return report;
    }
}
