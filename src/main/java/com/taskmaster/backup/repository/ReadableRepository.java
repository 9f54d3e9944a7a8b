package com.taskmaster.backup.repository;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * What every command may do with a repository: read committed objects. Restore holds only this: it cannot write
 * or delete anything. The contract of all three repository types is {@link Repository}'s.
 */
public interface ReadableRepository {

    /** The repository's URI, as configured: {@code s3://bucket/prefix} or {@code file:///path}. */
    String uri();

    /** The URI of one object, for results and messages. */
    String uriOf(ObjectKey key);

    /** Opens a committed object; {@link NoSuchObjectException} when absent. */
    InputStream open(ObjectKey key) throws NoSuchObjectException;

    /** Reads a small object whole. */
    default byte[] read(ObjectKey key) throws NoSuchObjectException {
        try (InputStream in = open(key)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new RepositoryException("cannot read " + uriOf(key) + ": " + e.getMessage(), e);
        }
    }

    /** Size and time of a committed object, or empty. */
    Optional<ObjectInfo> stat(ObjectKey key);

    /**
     * Committed objects whose key starts with {@code prefix} (a key prefix such as {@code "manifests/"}), sorted by key,
     * and the keys there that are not {@link ObjectKey}s (foreign: reported, never fatal to the listing).
     */
    ObjectListing scan(String prefix);

    /** The committed objects of {@link #scan} (foreign keys left out), sorted by key. */
    default List<ObjectInfo> list(String prefix) {
        return scan(prefix).objects();
    }
}
