package com.taskmaster.backup.format;

import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ReadableRepository;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which source database each backup is of ({@link Manifest.Database#sameSourceAs}). A repository (or namespace,
 * {@code BACKUP_NAMESPACE}) holds the backups of one database: backup refuses another one ({@link #checkSameSource}),
 * and retention, point-in-time choice and freshness work per source ({@link #groups}) for repositories that already
 * mix them.
 */
public final class Sources {
    private Sources() {
    }

    /**
     * The backups grouped by source, each group newest first, groups in the order of their newest backup. Manifests
     * written before the system identifier was recorded join the group of the same name on the same server.
     */
    public static List<List<Manifest>> groups(List<Manifest> newestFirst) {
        int[] parent = new int[newestFirst.size()];
        Map<String, Integer> firstByKey = new HashMap<>();
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
            Manifest.Database d = newestFirst.get(i).database();
            List<String> keys = new ArrayList<>();
            if (d.systemIdentifier() != null) {
                keys.add("system\u0000" + d.systemIdentifier() + "\u0000" + d.name());
            }
            if (d.host() != null) {
                keys.add("server\u0000" + d.host().toLowerCase(java.util.Locale.ROOT) + "\u0000" + d.port() + "\u0000" + d.name());
            }
            for (String k : keys) {
                Integer other = firstByKey.putIfAbsent(k, i);
                if (other != null) {
                    parent[find(parent, i)] = find(parent, other);
                }
            }
        }
        Map<Integer, List<Manifest>> byRoot = new LinkedHashMap<>();
        for (int i = 0; i < parent.length; i++) {
            byRoot.computeIfAbsent(find(parent, i), r -> new ArrayList<>()).add(newestFirst.get(i));
        }
        return byRoot.values().stream().map(List::copyOf)
                .sorted(Comparator.comparing((List<Manifest> g) -> g.get(0).startedAt()).reversed()).toList();
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /**
     * Refuses to add a backup of {@code source} to a repository whose newest backup (by id) is of another database.
     * Only the newest manifest is read: one listing and one read, whatever the repository's size.
     *
     * @throws IllegalStateException naming both databases and what to do
     */
    public static void checkSameSource(ReadableRepository repository, Manifest.Database source) {
        Optional<Manifest> newest = newest(repository);
        if (newest.isPresent() && !newest.get().database().sameSourceAs(source)) {
            throw new IllegalStateException("repository " + repository.uri() + " holds backups of database "
                    + newest.get().database().describe() + " (newest: " + newest.get().backupId() + "), not of "
                    + source.describe() + ": refusing to mix them (retention, point-in-time restore and freshness would"
                    + " confuse them). Give this database its own repository, or its own BACKUP_NAMESPACE; nothing was stored");
        }
    }

    /** The manifest with the greatest id (ids start with their time), if any can be read. */
    static Optional<Manifest> newest(ReadableRepository repository) {
        List<BackupId> ids = new ArrayList<>();
        for (ObjectInfo info : repository.list(Layout.MANIFESTS)) {
            Layout.idOfManifest(info.key()).ifPresent(ids::add);
        }
        ids.sort(Comparator.reverseOrder());
        for (BackupId id : ids) {
            try {
                Manifest m = Manifest.fromJson(repository.read(Layout.manifest(id)));
                if (m.backupId().equals(id)) {
                    return Optional.of(m);
                }
            } catch (NoSuchObjectException e) {
                // pruned meanwhile: the next one
            } catch (IOException | IllegalArgumentException e) {
                // unreadable: verify reports it; the next one decides
            }
        }
        return Optional.empty();
    }
}
