package com.taskmaster.backup.verify;

import java.util.List;

/** A verify run found problems (all of them recorded already); the message lists each, naming the backup. */
public class VerificationFailedException extends RuntimeException {
    public VerificationFailedException(List<String> failures) {
        super(failures.size() + " verification failure" + (failures.size() == 1 ? "" : "s") + ": " + String.join(" | ", failures));
    }
}
