package com.taskmaster.backup.backup;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.BackupWriter;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.ContentFingerprints;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.pgarchive.ArchiveRoles;
import com.taskmaster.backup.pgarchive.FingerprintKey;
import com.taskmaster.backup.pgarchive.FingerprintSink;
import com.taskmaster.backup.pgarchive.Fingerprints;
import com.taskmaster.backup.pgarchive.SessionSettings;
import com.taskmaster.backup.format.Sources;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgProcess;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.postgres.PgVersion;
import com.taskmaster.backup.postgres.SnapshotSession;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.repository.AppendOnlyRepository;
import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectExistsException;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ObjectWriter;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Redactor;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Takes one backup. The whole pipeline is {@link #dumpAndStore} (zstd, encryption and digest: {@link BackupWriter}): read
 * it top to bottom.
 *
 * <pre>
 *   snapshot (REPEATABLE READ, exported) ──► pg_dump --snapshot -Fc -Z0 ─┬► zstd ──► Encryption SDK ──► SHA-256 ──► repository
 *                                                                       └► FingerprintSink: per table rows + content digest ──► manifest (last)
 *   pg_dumpall --globals-only --no-role-passwords (meanwhile, into memory) ──► after the dump: the same pipeline ──► roles object ({@link RoleCapture})
 * </pre>
 */
public final class BackupService {
    private static final Logger LOG = Logger.getLogger(BackupService.class);
    private static final byte[] ARCHIVE_MAGIC = {'P', 'G', 'D', 'M', 'P'};
    private static final int BUFFER = 256 * 1024;

    private final AppendOnlyRepository repository;
    private final Envelope envelope;
    private final PgTools tools;
    private final Clock clock;

    public BackupService(AppendOnlyRepository repository, Envelope envelope, PgTools tools, Clock clock) {
        this.repository = repository;
        this.envelope = envelope;
        this.tools = tools;
        this.clock = clock;
    }

    /**
     * @param deadline when the caller will be killed (Lambda's timeout), or {@link Deadline#NONE}: pg_dump is stopped
     *                 {@link Deadline.Margin#WORK} before it
     * @throws BackupFailedException when anything fails; nothing is then committed
     */
    public BackupResult run(BackupRequest request, DbCredentials db, String requestId, Deadline deadline) {
        Instant start = clock.instant();
        BackupId id = request.backupId(start);
        if (request.trigger().isScheduled()) {
            Optional<Manifest> existing = readManifest(id);
            if (existing.isPresent()) {
                LOG.infof("backup %s already exists: scheduled event delivered again, nothing to do", id);
                return BackupResult.of(existing.get(), repository.uriOf(ObjectKey.of(existing.get().data().key())),
                        repository.uriOf(Layout.manifest(id)), 0, true);
            }
        }
        try {
            Manifest manifest = dumpAndStore(id, request, db, requestId, start, deadline);
            long ms = Duration.between(start, clock.instant()).toMillis();
            ObjectKey manifestKey = Layout.manifest(id);
            try {
                repository.putIfAbsent(manifestKey, manifest.toJson());
            } catch (ObjectExistsException e) {
                Optional<Manifest> there = readManifest(id);
                if (there.isPresent() && there.get().data().key().equals(manifest.data().key())) {
                    // Our own manifest: the write succeeded, its response was lost and the SDK's retry found it there.
                    LOG.infof("backup %s: manifest already written by this invocation (a retried request)", id);
                } else if (request.trigger().isScheduled()) {
                    LOG.warnf("backup %s was completed concurrently by another invocation; data object %s is left for prune",
                            id, manifest.data().key());
                    Manifest winner = there.orElseThrow(() -> e);
                    return BackupResult.of(winner, repository.uriOf(ObjectKey.of(winner.data().key())),
                            repository.uriOf(manifestKey), ms, true);
                } else {
                    throw e;
                }
            } catch (RuntimeException e) {
                throw new IllegalStateException("data object " + manifest.data().key()
                        + " was stored but its manifest could not be written, so the backup does not exist"
                        + " (prune removes the data object): " + e.getMessage(), e);
            }
            LOG.infof("backup %s committed: %d bytes plain, %d stored, %d tables, %d ms", id,
                    manifest.data().plainBytes(), manifest.data().storedBytes(), manifest.tables().size(), ms);
            refreshCatalogIndex(deadline);
            return BackupResult.of(manifest, repository.uriOf(ObjectKey.of(manifest.data().key())),
                    repository.uriOf(manifestKey), ms, false);
        } catch (RuntimeException e) {
            throw new BackupFailedException(id, "backup " + id + " of database " + db.database() + " failed: "
                    + Redactor.redact(e.getMessage()), Redactor.scrub(e));
        }
    }

    private Manifest dumpAndStore(BackupId id, BackupRequest request, DbCredentials db, String requestId,
                                  Instant start, Deadline deadline) {
        long startNanos = System.nanoTime();
        PgVersion pgDumpVersion = tools.version("pg_dump");
        String attempt = UUID.randomUUID().toString().substring(0, 8);
        ObjectKey dataKey = Layout.data(id, attempt);
        Deadline work = deadline.minus(Deadline.Margin.WORK);
        FingerprintKey fingerprintKey = FingerprintKey.generate();
        long versionKnown = System.nanoTime();
        try (SnapshotSession snapshot = SnapshotSession.open(db)) {
            long snapshotOpen = System.nanoTime();
            PgVersion.checkCompatible(pgDumpVersion, snapshot.serverVersion());
            Manifest.Database source = new Manifest.Database(db.database(), db.host(), db.port(),
                    snapshot.serverVersion().text(), snapshot.systemIdentifier());
            Sources.checkSameSource(repository, source);
            long sourceChecked = System.nanoTime();
            Map<String, String> context = BackupWriter.encryptionContext(source, id);
            AppendOnlyRepository target = repository.withSizeHint(snapshot.databaseBytes());
            SessionSettings session = SessionSettings.forPgDump(snapshot.lcMonetary());
            FingerprintSink fingerprints = FingerprintSink.start(fingerprintKey, session, "fingerprint-" + id.value());
            long setUpDone = System.nanoTime();
            try (RoleCapture.Capture roleCapture = RoleCapture.Capture.start(tools, db, work, "roles-" + id.value());
                 ObjectWriter writer = target.create(dataKey);
                 PgProcess dump = PgProcess.start(tools, "pg_dump", List.of("--format=custom", "--compress=0",
                         "--snapshot=" + snapshot.snapshotId(), "--no-password", "--lock-wait-timeout=120000"), db,
                         session.pgDumpEnvironment());
                 Deadline.Watch watch = work.watch("deadline", () -> dump.kill(work.stopped()))) {
                BackupWriter pipeline = BackupWriter.open(writer.stream(), envelope, context);
                long plainBytes;
                try (OutputStream plain = pipeline.plain()) {
                    plainBytes = pump(dump, plain, fingerprints);
                }
                int exit = dump.waitFor(60, TimeUnit.SECONDS);
                if (exit != 0 || dump.killedBecause() != null) {
                    throw new IllegalStateException(dump.failure(exit));
                }
                long dumped = System.nanoTime();
                fingerprints.close();
                long fingerprinted = System.nanoTime();
                Fingerprints content = fingerprints.result().fingerprints();
                ContentFingerprints recorded = ContentFingerprints.of(content, fingerprintKey, envelope, id, db.database());
                writer.commit();
                long committed = System.nanoTime();
                Manifest.Roles roles = RoleCapture.store(target, envelope, context, Layout.roles(id, attempt), roleCapture, tools,
                        db, List.copyOf(ArchiveRoles.of(fingerprints.result().toc()).all()), work);
                LOG.infof("backup %s: set-up %d ms (pg_dump --version %d, snapshot %d, source check %d), dump streamed"
                        + " %d ms, fingerprints finished %d ms later, key wrapped and data committed %d ms, roles stored %d ms",
                        id, ms(startNanos, setUpDone), ms(startNanos, versionKnown), ms(versionKnown, snapshotOpen),
                        ms(snapshotOpen, sourceChecked), ms(setUpDone, dumped), ms(dumped, fingerprinted), ms(fingerprinted, committed),
                        ms(committed, System.nanoTime()));
                return new Manifest(Manifest.FORMAT_VERSION, id, source, pgDumpVersion.text(), snapshot.takenAt(), clock.instant(),
                        pipeline.dataObject(dataKey, plainBytes), pipeline.compression(), pipeline.encryption(),
                        rowCounts(content), request.label(), request.reason(), request.trigger(), requestId, recorded, roles);
            } finally {
                fingerprints.abort(); // no-op once closed; otherwise ends its thread
            }
        } catch (IOException e) {
            throw new IllegalStateException("streaming the dump failed: " + e.getMessage(), e);
        }
    }

    private static long ms(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    /** Each table's row count, sorted by schema and name: the manifest's {@code tables}, as older manifests have them. */
    private static List<TableFingerprint> rowCounts(Fingerprints content) {
        return content.tables().stream().map(t -> new TableFingerprint(t.schema(), t.name(), t.rows()))
                .sorted(Comparator.comparing(TableFingerprint::schema).thenComparing(TableFingerprint::name)).toList();
    }

    /**
     * Copies pg_dump's stdout into the pipeline and the fingerprints' tee; refuses a stream that is not a custom-format
     * archive.
     */
    private static long pump(PgProcess dump, OutputStream out, OutputStream fingerprints) throws IOException {
        InputStream in = dump.stdout();
        byte[] buf = new byte[BUFFER];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            if (total < ARCHIVE_MAGIC.length) {
                checkMagic(buf, n, total, dump);
            }
            fingerprints.write(buf, 0, n);
            out.write(buf, 0, n);
            total += n;
        }
        if (total < ARCHIVE_MAGIC.length) {
            throw new IOException(dump.failure(dump.waitFor(60, TimeUnit.SECONDS)) + " (no archive written)");
        }
        return total;
    }

    private static void checkMagic(byte[] buf, int n, long offset, PgProcess dump) throws IOException {
        for (int i = 0; i < n && offset + i < ARCHIVE_MAGIC.length; i++) {
            if (buf[i] != ARCHIVE_MAGIC[(int) offset + i]) {
                throw new IOException("pg_dump's output is not a custom-format archive (starts with "
                        + Arrays.toString(Arrays.copyOf(buf, Math.min(n, 8))) + ")");
            }
        }
    }

    /**
     * Once the backup is committed: a new catalog index when {@link Catalog#INDEX_AFTER_READS} manifests or more are
     * not in the current one (so that list, prune, verify and restore read one object, not one per backup). Never fails
     * the backup, which exists already: a failure is logged and the next backup tries again. Skipped with less than
     * two minutes left (the first index of a large repository reads every manifest).
     */
    private void refreshCatalogIndex(Deadline deadline) {
        if (!deadline.hasLeft(Duration.ofMinutes(2))) {
            LOG.warn("catalog index not refreshed: less than two minutes left in this invocation");
            return;
        }
        try {
            Catalog.writeIndex(repository, clock.instant(), Catalog.INDEX_AFTER_READS);
        } catch (RuntimeException e) {
            LOG.warnf("catalog index not refreshed (the backup is committed; the next backup tries again): %s",
                    Redactor.redact(String.valueOf(e.getMessage())));
        }
    }

    private Optional<Manifest> readManifest(BackupId id) {
        try {
            return Optional.of(Manifest.fromJson(repository.read(Layout.manifest(id))));
        } catch (NoSuchObjectException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("manifest of " + id + " exists but cannot be parsed: " + e.getMessage(), e);
        }
    }
}
