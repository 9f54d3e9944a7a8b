package com.taskmaster.backup.format;

import com.github.luben.zstd.ZstdOutputStream;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.repository.ObjectKey;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * The write pipeline, the mirror of {@link BackupReader}, assembled in one place:
 * <pre>
 *   plain pg_dump archive ──► zstd (checksum on) ──► Encryption SDK (64 KiB frames) ──► SHA-256 and size ──► stored stream
 * </pre>
 * zstd compresses on a thread of its own (one zstd worker, {@link #ZSTD_WORKERS}): the caller's writes only hand
 * input over, and encryption and hashing run on the caller's thread meanwhile, so the two largest costs of the
 * pipeline use both cores. The output is one standard zstd frame, as without the worker (of the same size: zstd's
 * multithreaded mode compresses the same data to within a few bytes).
 *
 * <p>Write the archive to {@link #plain()} and close it (that finishes zstd's frame and the encrypted message; the stored
 * stream is only flushed, its fate, commit or abort, is the caller's); then the manifest's parts describe what was written.
 */
public final class BackupWriter {
    /** Level 2: on the TaskMaster sample, 3% smaller than level 1 (and than gzip -6) for 12% more compression CPU. */
    public static final int ZSTD_LEVEL = 2;
    /**
     * One zstd worker: compression runs on zstd's own thread, overlapped with encryption and SHA-256 on the writer's
     * (measured, bench/README.md: the backup's critical path was zstd + encryption + SHA-256 on one thread). Memory:
     * zstd's buffers for a worker at level 2 are bounded (a few job-sized buffers, ~20 MB native), whatever the size
     * of the archive.
     */
    public static final int ZSTD_WORKERS = 1;

    private final Envelope envelope;
    private final Map<String, String> context;
    private final StreamDigest stored = new StreamDigest();
    private final OutputStream plain;

    private BackupWriter(OutputStream out, Envelope envelope, Map<String, String> context) throws IOException {
        this.envelope = envelope;
        this.context = Map.copyOf(context);
        this.plain = new ZstdOutputStream(envelope.encrypt(stored.writing(out), this.context), ZSTD_LEVEL).setChecksum(true)
                .setWorkers(ZSTD_WORKERS);
    }

    /** A pipeline into {@code out} (a repository object being written), encrypting under {@code context}. */
    public static BackupWriter open(OutputStream out, Envelope envelope, Map<String, String> context) throws IOException {
        return new BackupWriter(out, envelope, context);
    }

    /**
     * Ids only, never secrets: KMS logs the context in clear in CloudTrail. The source cluster's system identifier is
     * bound too when it is known (FORMAT.md, section 7); backups written before it was recorded have the other three.
     */
    public static Map<String, String> encryptionContext(Manifest.Database database, BackupId id) {
        Map<String, String> context = new java.util.TreeMap<>(Map.of("purpose", "taskmaster-backup", "database", database.name(),
                "backupId", id.value()));
        if (database.systemIdentifier() != null) {
            context.put("systemIdentifier", database.systemIdentifier());
        }
        return Map.copyOf(context);
    }

    /** Where the plain archive goes; close it when the archive has ended. */
    public OutputStream plain() {
        return plain;
    }

    /** The stored object, once {@link #plain()} is closed: its key, sizes before compression and as stored, SHA-256. */
    public Manifest.DataObject dataObject(ObjectKey key, long plainBytes) {
        return new Manifest.DataObject(key.value(), plainBytes, stored.count(), stored.sha256Hex());
    }

    public Manifest.Compression compression() {
        return new Manifest.Compression("zstd", ZSTD_LEVEL);
    }

    public Manifest.Encryption encryption() {
        return new Manifest.Encryption("aws-encryption-sdk", Envelope.ALGORITHM.name(), Envelope.FRAME_SIZE,
                envelope.providerId(), envelope.keyId(), context);
    }
}
