package com.taskmaster.backup.testing;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.CatalogIndex;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repository;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Complete backups without a database: a small data object and a real manifest, written through the Repository. */
public final class Backups {
    private Backups() {
    }

    public static Manifest manifest(BackupId id, Instant time, String label, String dataKey, long size) {
        return new Manifest(Manifest.FORMAT_VERSION, id, new Manifest.Database("taskmaster", "db.example", 5432, "15.8"), "15.8",
                time, time.plusSeconds(30), new Manifest.DataObject(dataKey, size * 3, size, "0".repeat(64)),
                new Manifest.Compression("zstd", 1),
                new Manifest.Encryption("aws-encryption-sdk", "ALG", 65536, "local", "test", Map.of("backupId", id.value())),
                List.of(), label, null, Trigger.manual(), "test");
    }

    /**
     * Writes the data object ({@code size} bytes) and the roles object ({@link #ROLES_BYTES} bytes), then the manifest;
     * returns the id ({@code <time>-<schedule>}).
     */
    public static BackupId put(Repository repo, Instant time, String schedule, String label, int size) {
        BackupId id = BackupId.scheduled(time, schedule);
        ObjectKey data = Layout.data(id, "a1");
        repo.putIfAbsent(data, new byte[size]);
        ObjectKey roles = Layout.roles(id, "a1");
        repo.putIfAbsent(roles, new byte[ROLES_BYTES]);
        Manifest m = manifest(id, time, label, data.value(), size);
        repo.putIfAbsent(Layout.manifest(id), new Manifest(m.formatVersion(), id, m.database(), m.pgDumpVersion(), m.startedAt(),
                m.finishedAt(), m.data(), m.compression(), m.encryption(), m.tables(), m.label(), m.reason(), m.trigger(),
                m.requestId(), null, new Manifest.Roles(new Manifest.DataObject(roles.value(), ROLES_BYTES, ROLES_BYTES, "0".repeat(64)),
                Manifest.Roles.PG_DUMPALL, List.of())).toJson());
        return id;
    }

    /**
     * What a hostile writer under {@code manifests/} could do (issue 9, item 9): a catalog index at {@code at} holding
     * one copy of backup {@code id}'s listed manifest that is {@code forged} instead, padded with spaces to the listed
     * size and with its own SHA-256, so that the catalog takes it. Returns the index's key.
     */
    public static ObjectKey forgeIndexCopy(Repository repo, BackupId id, Manifest forged, Instant at) {
        ObjectInfo listed = repo.stat(Layout.manifest(id)).orElseThrow();
        String text = new String(forged.toJson(), StandardCharsets.UTF_8);
        if (text.length() > listed.size()) {
            throw new IllegalArgumentException("the forged manifest is longer than the listed one: " + text.length() + " > " + listed.size());
        }
        byte[] padded = (text + " ".repeat((int) listed.size() - text.length())).getBytes(StandardCharsets.UTF_8);
        ObjectKey key = Layout.catalogIndex(at, "forged");
        repo.putIfAbsent(key, new CatalogIndex(CatalogIndex.FORMAT_VERSION, at, List.of(CatalogIndex.Entry.of(listed, padded))).toJson());
        return key;
    }

    /** The size of the roles object {@link #put} writes. */
    public static final int ROLES_BYTES = 7;
}
