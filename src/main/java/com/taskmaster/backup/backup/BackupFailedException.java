package com.taskmaster.backup.backup;

import com.taskmaster.backup.format.BackupId;


/** A backup did not complete. Nothing was committed; the message names the backup, the database and the cause. */
public class BackupFailedException extends RuntimeException {
    private final BackupId backupId;

    public BackupFailedException(BackupId backupId, String message, Throwable cause) {
        super(message, cause);
        this.backupId = backupId;
    }

    /** The id the failed backup would have had (for the alert). */
    public BackupId backupId() {
        return backupId;
    }
}
