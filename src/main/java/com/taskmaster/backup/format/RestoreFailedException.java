package com.taskmaster.backup.format;

/** The restore did not complete or did not prove equal; the message names the backup, the target and what to do. */
public class RestoreFailedException extends RuntimeException {
    public RestoreFailedException(String message) {
        super(message);
    }

    public RestoreFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
