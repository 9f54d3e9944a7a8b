package com.taskmaster.backup.repository;

/**
 * A repository that objects can be added to, never removed from or replaced in: what backup (data objects and
 * manifests), verify (verification records) and restore-test (reports) hold. Only prune's {@link Repository} deletes.
 */
public interface AppendOnlyRepository extends ReadableRepository {

    /** Starts a streamed write of a new object; nothing is visible until commit. */
    ObjectWriter create(ObjectKey key);

    /** Writes a small object at once, only if no object has that key. */
    void putIfAbsent(ObjectKey key, byte[] content) throws ObjectExistsException;

    /**
     * The same repository, told how large the next object written will be (S3: its multipart upload sizes its parts
     * for it); repositories that need no hint return themselves.
     */
    default AppendOnlyRepository withSizeHint(long expectedObjectBytes) {
        return this;
    }
}
