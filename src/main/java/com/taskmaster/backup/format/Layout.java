package com.taskmaster.backup.format;

import com.taskmaster.backup.repository.ObjectKey;

import java.util.Optional;

/**
 * Where things live in a repository:
 * <pre>
 *   manifests/&lt;backupId&gt;.json                         the commit point, one per backup
 *   data/&lt;backupId&gt;.&lt;attempt&gt;.pgdump.zst.esdk      the encrypted, compressed pg_dump archive
 * </pre>
 * Each attempt writes its own data object, so a retried backup never collides with what a crashed
 * attempt left behind; objects without a manifest are leftovers that prune removes.
 */
public final class Layout {
    public static final String MANIFESTS = "manifests/";
    public static final String DATA = "data/";
    private static final String MANIFEST_SUFFIX = ".json";

    private Layout() {
    }

    public static ObjectKey manifest(BackupId id) {
        return ObjectKey.of(MANIFESTS + id + MANIFEST_SUFFIX);
    }

    public static ObjectKey data(BackupId id, String attempt) {
        return ObjectKey.of(DATA + id + "." + attempt + ".pgdump.zst.esdk");
    }

    /** The backup id a manifest key names, if it is one. */
    public static Optional<BackupId> idOfManifest(ObjectKey key) {
        String v = key.value();
        if (!v.startsWith(MANIFESTS) || !v.endsWith(MANIFEST_SUFFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(BackupId.parse(v.substring(MANIFESTS.length(), v.length() - MANIFEST_SUFFIX.length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
