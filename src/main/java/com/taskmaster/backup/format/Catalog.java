package com.taskmaster.backup.format;

import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectListing;
import com.taskmaster.backup.repository.ReadableRepository;
import com.taskmaster.backup.repository.RepositoryException;
import com.taskmaster.backup.support.Bounded;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reads the complete backups of a repository: one per manifest, newest first. */
public final class Catalog {
    private static final Logger LOG = Logger.getLogger(Catalog.class);
    /** How many failed reads a {@link #list} failure names one by one (the rest are counted). */
    static final int NAMED_FAILURES = 10;
    private final ReadableRepository repository;

    public Catalog(ReadableRepository repository) {
        this.repository = repository;
    }

    /**
     * The manifests, newest first, the manifest keys that could not be read (reported, never trusted), and the foreign
     * keys under {@code manifests/}: anything not named like a manifest ({@code B.json~}, {@code copy of B.json}), not
     * written by this tool, reported and otherwise ignored.
     */
    public record Listing(List<Manifest> backups, List<String> unreadable, List<String> foreign) {
    }

    /**
     * @throws RepositoryException when any manifest could not be read (refused, or the store failed even after the
     *                             client's retries): nothing is listed, since a partial catalog must never be acted on
     *                             (prune, restore's "newest at or before"); the message names every such key (the first
     *                             {@value #NAMED_FAILURES}, then a count), each failure is attached (the first as cause,
     *                             the others suppressed)
     */
    public Listing list() {
        long started = System.nanoTime();
        List<Manifest> backups = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        ObjectListing scan = repository.scan(Layout.MANIFESTS);
        List<String> foreign = new ArrayList<>(scan.foreignKeys());
        List<ObjectInfo> named = new ArrayList<>();
        for (ObjectInfo info : scan.objects()) {
            if (Layout.idOfManifest(info.key()).isEmpty()) {
                foreign.add(info.key().value());
            } else {
                named.add(info);
            }
        }
        // One request per manifest: read them concurrently (bounded), or thousands of round trips add up to minutes.
        List<Read> reads = Bounded.map(named, Bounded.READS, this::read);
        List<Read> failed = reads.stream().filter(r -> r.failure() != null).toList();
        if (!failed.isEmpty()) {
            throw failure(failed, named.size());
        }
        for (Read r : reads) {
            if (r.manifest() != null) {
                backups.add(r.manifest());
            } else if (r.problem() != null) {
                unreadable.add(r.problem());
            }
        }
        // Newest first by snapshot time (ids only break ties: two manual backups of one second differ by a random suffix).
        backups.sort(Comparator.comparing(Manifest::startedAt).thenComparing(Manifest::backupId).reversed());
        foreign.sort(Comparator.naturalOrder());
        LOG.infof("catalog: %d manifests read in %d ms (%d backups, %d unreadable, %d foreign keys)", named.size(),
                (System.nanoTime() - started) / 1_000_000, backups.size(), unreadable.size(), foreign.size());
        return new Listing(List.copyOf(backups), List.copyOf(unreadable), List.copyOf(foreign));
    }

    /**
     * One manifest read: the manifest, or why it cannot be trusted ({@code problem}: damaged, of another format, naming
     * another backup), or why it could not be read at all ({@code failure}), or none (removed between listing and reading).
     */
    private record Read(Manifest manifest, String problem, RepositoryException failure) {
        Read(Manifest manifest, String problem) {
            this(manifest, problem, null);
        }
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
        BackupId id = Layout.idOfManifest(info.key()).orElseThrow();
        try {
            Manifest m = Manifest.fromJson(repository.read(info.key()));
            if (!m.backupId().equals(id)) {
                return new Read(null, info.key() + ": names backup " + m.backupId());
            }
            return new Read(m, null);
        } catch (NoSuchObjectException e) {
            return new Read(null, null);
        } catch (IOException | IllegalArgumentException e) {
            return new Read(null, info.key() + ": " + e.getMessage());
        } catch (RepositoryException e) {
            return new Read(null, null, e);
        }
    }
}
