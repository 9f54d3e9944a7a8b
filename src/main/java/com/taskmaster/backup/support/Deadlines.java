package com.taskmaster.backup.support;

import java.time.Duration;

/**
 * How an invocation's last minute is shared out, so that whatever the work does, the clean-up and the report still
 * happen before Lambda's deadline:
 * <pre>
 *   ... work ... │ MARGIN before: long work stops (pg_dump, pg_restore, deletions), no new check starts
 *                │ CLEANUP_RESERVE before: every check after the work (queries on a restored database) has ended
 *                │ REPORT_RESERVE before: the clean-up (dropping a scratch database) has ended; the report and alert follow
 *   deadline ────┘
 * </pre>
 */
public final class Deadlines {
    /** Work that would outlive the invocation stops this long before Lambda's deadline, so it can still clean up and report. */
    public static final Duration MARGIN = Duration.ofSeconds(30);
    /** Checks that follow the work end this long before the deadline, leaving the time to clean up and report. */
    public static final Duration CLEANUP_RESERVE = Duration.ofSeconds(15);
    /** Clean-up ends this long before the deadline, leaving the time to write the report and send the alert. */
    public static final Duration REPORT_RESERVE = Duration.ofSeconds(5);

    private Deadlines() {
    }
}
