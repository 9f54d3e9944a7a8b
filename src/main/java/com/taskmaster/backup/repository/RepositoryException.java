package com.taskmaster.backup.repository;

/** A repository operation failed; the message names the object and the cause. */
public class RepositoryException extends RuntimeException {
    public RepositoryException(String message) {
        super(message);
    }

    public RepositoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
