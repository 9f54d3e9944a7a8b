package com.taskmaster.backup.repository;

/** The object does not exist (or is not committed). */
public class NoSuchObjectException extends RepositoryException {
    public NoSuchObjectException(String message) {
        super(message);
    }

    public NoSuchObjectException(String message, Throwable cause) {
        super(message, cause);
    }
}
