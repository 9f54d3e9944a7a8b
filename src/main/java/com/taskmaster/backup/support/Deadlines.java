package com.taskmaster.backup.support;

import java.time.Duration;

/** Work that would outlive the invocation stops this long before Lambda's deadline, so it can still clean up and report. */
public final class Deadlines {
    public static final Duration MARGIN = Duration.ofSeconds(30);

    private Deadlines() {
    }
}
