package com.taskmaster.backup.postgres;

/** The database could not be reached or read; the message names the database (never the password). */
public class DatabaseException extends RuntimeException {
    public DatabaseException(String message) {
        super(message);
    }

    public DatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
