package com.taskmaster.backup.drdrill;

/** The drill failed or missed an objective; its report (written first, when it could be) says what and why. */
public class DrDrillFailedException extends RuntimeException {
    private final transient DrDrillReport report;

    public DrDrillFailedException(String message, DrDrillReport report) {
        super(message);
        this.report = report;
    }

    public DrDrillReport report() {
        return report;
    }
}
