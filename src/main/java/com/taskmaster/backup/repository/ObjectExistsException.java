package com.taskmaster.backup.repository;

/** A write was refused because the object already exists: repositories never overwrite. */
public class ObjectExistsException extends RepositoryException {
    public ObjectExistsException(String message) {
        super(message);
    }

    public ObjectExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}
