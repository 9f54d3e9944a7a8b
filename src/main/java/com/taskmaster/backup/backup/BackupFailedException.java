package com.taskmaster.backup.backup;

/** A backup did not complete. Nothing was committed; the message names the backup, the database and the cause. */
public class BackupFailedException extends RuntimeException {
    public BackupFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
