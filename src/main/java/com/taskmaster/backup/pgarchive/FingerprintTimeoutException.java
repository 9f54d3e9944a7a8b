package com.taskmaster.backup.pgarchive;

/** The deadline came before the restored database's fingerprints were complete; says how far it got. */
public class FingerprintTimeoutException extends Exception {
    public FingerprintTimeoutException(String message) {
        super(message);
    }
}
