package com.taskmaster.backup.format;

import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectListing;
import com.taskmaster.backup.repository.ReadableRepository;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

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
        for (ObjectInfo info : scan.objects()) {
            Optional<BackupId> id = Layout.idOfManifest(info.key());
            if (id.isEmpty()) {
                foreign.add(info.key().value());
                continue;
            }
            try {
                Manifest m = Manifest.fromJson(repository.read(info.key()));
                if (!m.backupId().equals(id.get())) {
                    unreadable.add(info.key() + ": names backup " + m.backupId());
                    continue;
                }
                backups.add(m);
            } catch (NoSuchObjectException e) {
                // removed between listing and reading
            } catch (IOException | IllegalArgumentException e) {
                unreadable.add(info.key() + ": " + e.getMessage());
            }
        }
        // Newest first by snapshot time (ids only break ties: two manual backups of one second differ by a random suffix).
        backups.sort(Comparator.comparing(Manifest::startedAt).thenComparing(Manifest::backupId).reversed());
        foreign.sort(Comparator.naturalOrder());
        return new Listing(List.copyOf(backups), List.copyOf(unreadable), List.copyOf(foreign));
    }
}
