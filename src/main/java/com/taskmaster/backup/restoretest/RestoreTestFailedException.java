package com.taskmaster.backup.restoretest;

/** restore-test refused to run, or ran and found problems (then its report is written first); the message says which. */
public class RestoreTestFailedException extends RuntimeException {
    public RestoreTestFailedException(String message) {
        super(message);
    }
}
