package com.taskmaster.backup.prune;

import com.taskmaster.backup.appconfig.ConfigSnapshot;
import com.taskmaster.backup.appconfig.ConfigStore;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.testing.Backups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prune applies the calendar rules to configuration snapshots too, apart from the backups, never deleting the newest. */
class ConfigSnapshotPruneTest {
    @TempDir
    Path dir;

    @Test
    void configurationSnapshotsArePrunedByTheSameRulesApartFromTheBackups() {
        Repository repo = new FileRepository(dir.resolve("repo"));
        ConfigStore store = new ConfigStore(repo, Keys.open("file://" + dir.resolve("key"), () -> null));
        Instant now = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(12));
        for (int d = 1; d <= 45; d++) {
            Backups.put(repo, now.minus(Duration.ofDays(d)), "daily", null, 100);
            Instant t = now.minus(Duration.ofDays(d));
            var params = new TreeMap<String, ConfigSnapshot.Parameter>(Map.of("/app/v", new ConfigSnapshot.Parameter("String", "v" + d, 1L, t, "text")));
            store.write(repo, new ConfigSnapshot(ConfigSnapshot.FORMAT_VERSION, ConfigStore.newId(t), t, params, null, null), "schedule", "test");
        }
        assertEquals(45, store.list().size());
        PruneService prune = new PruneService(repo, RetentionPolicy.DEFAULTS, Clock.fixed(now, ZoneOffset.UTC));

        PruneReport dry = prune.run(new PruneRequest(true, "manual"), "r1", com.taskmaster.backup.support.Deadline.NONE);
        List<String> wouldDelete = dry.configSnapshots().deleted();
        assertEquals(dry.deletedCount(), wouldDelete.size(), "same rules, same calendar: as many as the backups");
        assertFalse(wouldDelete.isEmpty());
        assertEquals(45, store.list().size(), "a dry run deletes nothing");
        assertEquals(45, dry.configSnapshots().kept() + wouldDelete.size());

        PruneReport real = prune.run(new PruneRequest(false, "manual"), "r2", com.taskmaster.backup.support.Deadline.NONE);
        assertEquals(wouldDelete, real.configSnapshots().deleted());
        List<String> left = store.list().stream().map(m -> m.snapshotId().value()).toList();
        assertEquals(45 - wouldDelete.size(), left.size());
        assertTrue(left.stream().noneMatch(wouldDelete::contains));
        assertTrue(left.get(0).startsWith(ConfigStore.newId(now.minus(Duration.ofDays(1))).value().substring(0, 16)), "the newest is kept");
        assertEquals(left.size(), repo.list(Layout.CONFIG_DATA).size(), "each deleted snapshot's data object went with it");
        for (ObjectInfo o : repo.list(Layout.CONFIG_DATA)) {
            assertTrue(Layout.idOfConfigData(o.key()).map(id -> left.contains(id.value())).orElse(false), o.key().value());
        }
        assertEquals(real.keptCount(), repo.list(Layout.MANIFESTS).size(), "backups pruned as before");
    }
}
