package com.taskmaster.backup.lambda;

import com.taskmaster.backup.appconfig.ConfigSnapshot;
import com.taskmaster.backup.appconfig.ConfigStore;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.testing.Backups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** list shows configuration snapshots apart from the database backups (and never as backups). */
class ListResultConfigTest {
    @TempDir
    Path dir;

    @Test
    void configurationSnapshotsAreListedApart() throws Exception {
        FileRepository repo = new FileRepository(dir.resolve("repo"));
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
        Backups.put(repo, t, "daily", null, 100);
        ConfigStore store = new ConfigStore(repo, Keys.open("file://" + dir.resolve("key"), () -> null));
        var params = new TreeMap<String, ConfigSnapshot.Parameter>(Map.of("/app/secret", new ConfigSnapshot.Parameter("SecureString", "s3cr3t-value", 1L, t, "text")));
        String id = store.write(repo, new ConfigSnapshot(ConfigSnapshot.FORMAT_VERSION, ConfigStore.newId(t), t, params, null, null),
                "manual", "r").snapshotId().value();

        ListResult r = ListResult.of(new Catalog(repo).list(), store.list());
        assertEquals(1, r.backups().size());
        assertEquals(1, r.configSnapshots().size());
        assertEquals(id, r.configSnapshots().get(0).snapshotId());
        assertEquals(1, r.configSnapshots().get(0).counts().parameters());
        String json = Json.MAPPER.writeValueAsString(r);
        assertTrue(json.contains("\"configSnapshots\"") && !json.contains("s3cr3t-value"), json);
    }
}
