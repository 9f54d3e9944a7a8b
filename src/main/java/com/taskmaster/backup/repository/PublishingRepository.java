package com.taskmaster.backup.repository;

/**
 * What the report command holds: it reads everything (manifests, records, reports) and writes, replacing what was
 * there, only under one prefix ({@link Repositories#publishingUnder}); it can neither add to nor remove backups.
 */
public interface PublishingRepository extends ReadableRepository {

    /** The one prefix this view writes under, e.g. {@code reports/readiness/}. */
    String publishPrefix();

    /**
     * Writes a small object whole, replacing any object of that key ({@link Repository#replace});
     * {@link IllegalArgumentException} for a key outside {@link #publishPrefix()}.
     */
    void publish(ObjectKey key, byte[] content);
}
