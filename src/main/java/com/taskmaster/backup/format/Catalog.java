package com.taskmaster.backup.format;

import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectListing;
import com.taskmaster.backup.repository.ReadableRepository;
import com.taskmaster.backup.support.Bounded;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reads the complete backups of a repository: one per manifest, newest first. */
public final class Catalog {
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

    public Listing list() {
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
        for (Read r : Bounded.map(named, Bounded.READS, this::read)) {
            if (r.manifest() != null) {
                backups.add(r.manifest());
            } else if (r.problem() != null) {
                unreadable.add(r.problem());
            }
        }
        // Newest first by snapshot time (ids only break ties: two manual backups of one second differ by a random suffix).
        backups.sort(Comparator.comparing(Manifest::startedAt).thenComparing(Manifest::backupId).reversed());
        foreign.sort(Comparator.naturalOrder());
        return new Listing(List.copyOf(backups), List.copyOf(unreadable), List.copyOf(foreign));
    }

    /** One manifest read: the manifest, or why it cannot be trusted, or neither (removed between listing and reading). */
    private record Read(Manifest manifest, String problem) {
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
        }
    }
}
