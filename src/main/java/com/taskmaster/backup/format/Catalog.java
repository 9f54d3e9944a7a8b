package com.taskmaster.backup.format;

import com.taskmaster.backup.repository.AppendOnlyRepository;
import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ObjectListing;
import com.taskmaster.backup.repository.ReadableRepository;
import com.taskmaster.backup.repository.RepositoryException;
import com.taskmaster.backup.support.Bounded;
import com.taskmaster.backup.support.RandomIds;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the complete backups of a repository: one per manifest, newest first. The listing of {@code manifests/} is the
 * truth; the newest {@link CatalogIndex} stands in for the manifests it holds unchanged (one read instead of thousands),
 * every other manifest is read (concurrently, bounded). Backup writes a new index once enough manifests were read one
 * by one ({@link #writeIndex}); commands acting on one backup confirm an index copy against its manifest
 * ({@link #confirm}); prune deletes the indexes older than the newest.
 */
public final class Catalog {
    private static final Logger LOG = Logger.getLogger(Catalog.class);
    /** How many failed reads a {@link #list} failure names one by one (the rest are counted). */
    static final int NAMED_FAILURES = 10;
    /** {@link #writeIndex} writes a new index when at least this many manifests had to be read one by one. */
    public static final int INDEX_AFTER_READS = 32;
    /** An index larger than this is not read (a damaged or hostile object must not exhaust memory): manifests are. */
    static final long MAX_INDEX_BYTES = 256L << 20;
    private final ReadableRepository repository;

    public Catalog(ReadableRepository repository) {
        this.repository = repository;
    }

    /**
     * The manifests, newest first, the manifest keys that could not be read (reported, never trusted), and the foreign
     * keys under {@code manifests/}: anything not named like a manifest ({@code B.json~}, {@code copy of B.json}), not
     * written by this tool, reported and otherwise ignored. {@code fromIndex}: the backups whose manifest came from the
     * catalog index, with the SHA-256 of that copy (for {@link #confirm}); {@code indexes}: the index objects, oldest
     * first.
     */
    public record Listing(List<Manifest> backups, List<String> unreadable, List<String> foreign,
                          Map<BackupId, String> fromIndex, List<ObjectKey> indexes) {
        /** The index objects older than the newest: nothing reads them any more (prune deletes them). */
        public List<ObjectKey> staleIndexes() {
            return indexes.isEmpty() ? List.of() : indexes.subList(0, indexes.size() - 1);
        }
    }

    /**
     * @throws RepositoryException when any manifest could not be read (refused, or the store failed even after the
     *                             client's retries): nothing is listed, since a partial catalog must never be acted on
     *                             (prune, restore's "newest at or before"); the message names every such key (the first
     *                             {@value #NAMED_FAILURES}, then a count), each failure is attached (the first as cause,
     *                             the others suppressed). An index that cannot be read is not a failure (its manifests
     *                             are read instead).
     */
    public Listing list() {
        return pass().listing();
    }

    /**
     * Lists {@code repository}, and when at least {@code afterReads} manifests had to be read one by one, writes a new
     * index of every manifest listed into it. Returns the index written, if any. Called by backup once its manifest is
     * committed.
     */
    public static Optional<ObjectKey> writeIndex(AppendOnlyRepository repository, Instant now, int afterReads) {
        Pass pass = new Catalog(repository).pass();
        if (pass.directReads() < afterReads) {
            return Optional.empty();
        }
        List<CatalogIndex.Entry> entries = pass.reads().stream().filter(r -> r.manifest() != null)
                .map(r -> CatalogIndex.Entry.of(r.info(), r.bytes()))
                .sorted(Comparator.comparing(CatalogIndex.Entry::key)).toList();
        ObjectKey key = Layout.catalogIndex(now, RandomIds.suffix(6));
        repository.putIfAbsent(key, new CatalogIndex(CatalogIndex.FORMAT_VERSION, now, entries).toJson());
        LOG.infof("catalog: index %s written (%d manifests)", key, entries.size());
        return Optional.of(key);
    }

    /**
     * Whether a backup of {@code listing} still has the manifest it was listed with: for a copy taken from the index,
     * its manifest is read and must be byte for byte that copy (else: the problem, naming the backup); manifests read
     * directly need no second read. Restore, restore-test, verify and the drill call it for the backup they act on.
     */
    public Optional<String> confirm(Listing listing, Manifest m) {
        String indexed = listing.fromIndex().get(m.backupId());
        if (indexed == null) {
            return Optional.empty();
        }
        ObjectKey key = Layout.manifest(m.backupId());
        try {
            if (CatalogIndex.sha256Hex(repository.read(key)).equals(indexed)) {
                return Optional.empty();
            }
            return Optional.of("manifest " + repository.uriOf(key) + " differs from its copy in the catalog index (an index"
                    + " not written by this tool, or a manifest replaced since): the manifest is what counts; this backup"
                    + " is not used until the two agree (a new backup writes a new index)");
        } catch (NoSuchObjectException e) {
            return Optional.of("manifest " + repository.uriOf(key) + " is gone since the catalog was listed");
        }
    }

    /** Like {@link #confirm}, for callers that must stop: throws {@link RepositoryException} with the problem. */
    public Manifest confirmed(Listing listing, Manifest m) {
        confirm(listing, m).ifPresent(problem -> {
            throw new RepositoryException(problem);
        });
        return m;
    }

    /** One listing: every manifest read, from the index or directly, and how many directly. */
    private record Pass(Listing listing, List<Read> reads, int directReads) {
    }

    private Pass pass() {
        long started = System.nanoTime();
        List<Manifest> backups = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        ObjectListing scan = repository.scan(Layout.MANIFESTS);
        List<String> foreign = new ArrayList<>(scan.foreignKeys());
        List<ObjectInfo> named = new ArrayList<>();
        List<ObjectInfo> indexes = new ArrayList<>();
        for (ObjectInfo info : scan.objects()) {
            if (Layout.isCatalogIndex(info.key())) {
                indexes.add(info);
            } else if (Layout.idOfManifest(info.key()).isEmpty()) {
                foreign.add(info.key().value());
            } else {
                named.add(info);
            }
        }
        Map<String, CatalogIndex.Entry> index = indexes.isEmpty() ? Map.of() : readIndex(indexes.get(indexes.size() - 1));
        List<Read> reads = new ArrayList<>();
        List<ObjectInfo> direct = new ArrayList<>();
        for (ObjectInfo info : named) {
            CatalogIndex.Entry entry = index.get(info.key().value());
            Optional<byte[]> bytes = entry == null ? Optional.empty() : entry.bytesFor(info);
            if (bytes.isPresent()) {
                reads.add(parse(info, bytes.get(), entry.sha256()));
            } else {
                direct.add(info);
            }
        }
        // One request per manifest: read them concurrently (bounded), or thousands of round trips add up to minutes.
        reads.addAll(Bounded.map(direct, Bounded.READS, this::read));
        List<Read> failed = reads.stream().filter(r -> r.failure() != null).toList();
        if (!failed.isEmpty()) {
            throw failure(failed, named.size());
        }
        Map<BackupId, String> fromIndex = new HashMap<>();
        for (Read r : reads) {
            if (r.manifest() != null) {
                backups.add(r.manifest());
                if (r.indexSha256() != null) {
                    fromIndex.put(r.manifest().backupId(), r.indexSha256());
                }
            } else if (r.problem() != null) {
                unreadable.add(r.problem());
            }
        }
        // Newest first by snapshot time (ids only break ties: two manual backups of one second differ by a random suffix).
        backups.sort(Comparator.comparing(Manifest::startedAt).thenComparing(Manifest::backupId).reversed());
        foreign.sort(Comparator.naturalOrder());
        LOG.infof("catalog: %d manifests in %d ms (%d from the index, %d read; %d backups, %d unreadable, %d foreign keys)",
                named.size(), (System.nanoTime() - started) / 1_000_000, named.size() - direct.size(), direct.size(),
                backups.size(), unreadable.size(), foreign.size());
        return new Pass(new Listing(List.copyOf(backups), List.copyOf(unreadable), List.copyOf(foreign), Map.copyOf(fromIndex),
                indexes.stream().map(ObjectInfo::key).toList()), reads, direct.size());
    }

    /** The entries of an index by key; none when it cannot be read or parsed (logged: its manifests are read instead). */
    private Map<String, CatalogIndex.Entry> readIndex(ObjectInfo info) {
        if (info.size() > MAX_INDEX_BYTES) {
            LOG.warnf("catalog: index %s not read (%d bytes, more than %d): manifests are read instead", info.key(),
                    info.size(), MAX_INDEX_BYTES);
            return Map.of();
        }
        try {
            return CatalogIndex.fromJson(repository.read(info.key())).byKey();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("catalog: index %s not used (%s): manifests are read instead", info.key(), e.getMessage());
            return Map.of();
        }
    }

    /**
     * One manifest read: the manifest, or why it cannot be trusted ({@code problem}: damaged, of another format, naming
     * another backup), or why it could not be read at all ({@code failure}), or none (removed between listing and reading).
     * {@code indexSha256}: for a copy taken from the index, its SHA-256 as the index recorded and {@link
     * CatalogIndex.Entry#bytesFor} checked it; null for a manifest read directly.
     */
    private record Read(ObjectInfo info, byte[] bytes, String indexSha256, Manifest manifest, String problem,
                        RepositoryException failure) {
    }

    private static RepositoryException failure(List<Read> failed, int manifests) {
        StringBuilder message = new StringBuilder("cannot read ").append(failed.size()).append(" of ").append(manifests)
                .append(" manifest(s), so no backup is listed (a partial catalog is never used): ");
        for (int i = 0; i < Math.min(failed.size(), NAMED_FAILURES); i++) {
            message.append(i == 0 ? "" : "; ").append(failed.get(i).failure().getMessage());
        }
        if (failed.size() > NAMED_FAILURES) {
            message.append("; and ").append(failed.size() - NAMED_FAILURES).append(" more");
        }
        RepositoryException e = new RepositoryException(message.toString(), failed.get(0).failure());
        failed.stream().skip(1).forEach(r -> e.addSuppressed(r.failure()));
        return e;
    }

    private Read read(ObjectInfo info) {
        try {
            return parse(info, repository.read(info.key()), null);
        } catch (NoSuchObjectException e) {
            return new Read(info, null, null, null, null, null);
        } catch (RepositoryException e) {
            return new Read(info, null, null, null, null, e);
        }
    }

    /** The same checks for a manifest read directly and for an index's copy of it. */
    private static Read parse(ObjectInfo info, byte[] bytes, String indexSha256) {
        BackupId id = Layout.idOfManifest(info.key()).orElseThrow();
        try {
            Manifest m = Manifest.fromJson(bytes);
            if (!m.backupId().equals(id)) {
                return new Read(info, bytes, indexSha256, null, info.key() + ": names backup " + m.backupId(), null);
            }
            return new Read(info, bytes, indexSha256, m, null, null);
        } catch (IOException | IllegalArgumentException e) {
            return new Read(info, bytes, indexSha256, null, info.key() + ": " + e.getMessage(), null);
        }
    }
}
