package com.taskmaster.backup.restoretest;

import java.util.Optional;

/** restore-test refused to run, or ran and found problems (then its report is written first); the message says which. */
public class RestoreTestFailedException extends RuntimeException {
    private final transient RestoreTestReport report;

    public RestoreTestFailedException(String message) {
        this(message, null);
    }

    public RestoreTestFailedException(String message, RestoreTestReport report) {
        super(message);
        this.report = report;
    }

    /** The report of a run that got as far as writing one. */
    public Optional<RestoreTestReport> report() {
        return Optional.ofNullable(report);
    }
}
