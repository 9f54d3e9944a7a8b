package com.taskmaster.backup.repository;

import java.util.List;

/**
 * A flat store of immutable objects under one root ({@code s3://bucket/prefix} or {@code file:///path}), with every
 * operation: only prune's service holds one. Who may do what is a type: {@link ReadableRepository} reads (restore),
 * {@link AppendOnlyRepository} also adds objects (backup, verify, restore-test), this one also deletes (prune).
 *
 * <p>Contract, shared by every implementation and checked by {@code RepositoryContractTest}:
 * <ul>
 *   <li>Keys are relative, '/'-separated, each segment starting with a letter or digit
 *       ({@link ObjectKey}): nothing can address anything outside the root.</li>
 *   <li>An object written with {@link #create} is invisible until {@link ObjectWriter#commit()} returns;
 *       after {@link ObjectWriter#abort()} (or a crash) no trace is visible to {@link #list} or {@link #open}.</li>
 *   <li>No write ever replaces an existing object: {@link ObjectExistsException} instead. The one exception is
 *       {@link #replace}, for reports people open by a fixed name (only through {@link Repositories#publishingUnder}).</li>
 *   <li>{@link #list} returns committed objects only, sorted by key.</li>
 *   <li>{@link #delete} is idempotent: deleting a missing object succeeds. It is the only way anything is
 *       removed, and only prune calls it.</li>
 *   <li>{@link #pendingWrites} shows writes in progress or abandoned (invisible to {@link #list});
 *       {@link #discard} removes one, and discarding one that is already gone succeeds.</li>
 * </ul>
 */
public interface Repository extends AppendOnlyRepository {

    /**
     * Deletes a committed object; a missing object is not an error (a second prune run, or a concurrent one,
     * finds it gone). In a versioned S3 bucket this is a plain DeleteObject without a version id: S3 adds a
     * delete marker and keeps the bytes as a noncurrent version until the bucket's lifecycle expires them
     * (and Object Lock, when on, protects that version until its retention ends).
     */
    void delete(ObjectKey key);

    /**
     * Writes a small object whole, replacing the object of that key if there is one; readers see the old or the new
     * content, never a mix. Only for reports people open by a fixed name ({@code reports/readiness/latest.html}),
     * never for backups or records: commands reach it only through {@link Repositories#publishingUnder}, which
     * confines it to one prefix. In a versioned bucket the replaced content stays as a noncurrent version.
     */
    void replace(ObjectKey key, byte[] content);

    /**
     * The Object Lock state of a committed object (retention, legal hold), read from the store itself, for prune:
     * deleting a locked object would only hide it. {@link LockState#NONE} when the store has no Object Lock (files,
     * an S3 bucket without it), the object has neither lock, or the object is gone. When the state cannot be known
     * (access denied, a network or server error) this throws {@link RepositoryException}: an unknown state is never
     * reported as unlocked.
     */
    LockState lockState(ObjectKey key);

    /**
     * Writes begun and neither committed nor aborted, under this repository only, sorted by key. Includes
     * writes in progress right now: callers decide by {@link PendingWrite#since()} what is stale.
     */
    List<PendingWrite> pendingWrites();

    /** Discards a pending write (S3: aborts the multipart upload; files: deletes the temporary file). Idempotent. */
    void discard(PendingWrite write);
}
