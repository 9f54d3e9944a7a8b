package com.taskmaster.backup.testing;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repository;

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

    /** The size of the roles object {@link #put} writes. */
    public static final int ROLES_BYTES = 7;
}
