package com.taskmaster.backup.testing;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.TableFingerprint;

import java.util.List;
import java.util.Map;

/** Manifests for tests of pure functions: taken at the id's time, finished a minute later. */
public final class Manifests {
    private Manifests() {
    }

    public static Manifest manifest(String id, long plainBytes, TableFingerprint... tables) {
        return manifest(id, new Manifest.Database("taskmaster", "db", 5432, "15.8"), plainBytes, tables);
    }

    /** A backup of {@code database}. */
    public static Manifest manifest(String id, Manifest.Database database, long plainBytes, TableFingerprint... tables) {
        BackupId backupId = BackupId.parse(id);
        return new Manifest(1, backupId, database, "15.8",
                backupId.time(), backupId.time().plusSeconds(60),
                new Manifest.DataObject("data/" + id + ".a.pgdump.zst.esdk", plainBytes, plainBytes / 3, "0".repeat(64)),
                new Manifest.Compression("zstd", 1),
                new Manifest.Encryption("aws-esdk", "x", 65536, "local", "k", Map.of("backupId", id)),
                List.of(tables), null, null, Trigger.manual(), "r");
    }
}
