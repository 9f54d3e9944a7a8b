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

    /** Writes the data object ({@code size} bytes), then the manifest; returns the id ({@code <time>-<schedule>}). */
    public static BackupId put(Repository repo, Instant time, String schedule, String label, int size) {
        BackupId id = BackupId.scheduled(time, schedule);
        ObjectKey data = Layout.data(id, "a1");
        repo.putIfAbsent(data, new byte[size]);
        repo.putIfAbsent(Layout.manifest(id), manifest(id, time, label, data.value(), size).toJson());
        return id;
    }
}
