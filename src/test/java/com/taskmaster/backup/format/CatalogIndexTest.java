package com.taskmaster.backup.format;

import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ForwardingReadableRepository;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.RepositoryException;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.Backups;
import com.taskmaster.backup.testing.MotoServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, item 9: the catalog index stands in for the manifests it holds unchanged, so that a listing reads one object
 * instead of one per backup; the listing of {@code manifests/} stays the truth (the index never adds, hides or changes a
 * backup that the listing does not show as it was indexed), on a file repository and on S3 (moto).
 */
class CatalogIndexTest {
    @TempDir
    Path dir;

    /** A repository under test, with a way to write any bytes at any key, as a person or a hostile writer could. */
    private record Repo(Repository repository, Overwrite overwrite) {
    }

    private interface Overwrite {
        void put(String key, byte[] bytes);
    }

    private Repo repo(String kind) {
        if (kind.equals("file")) {
            Path root = dir.resolve("repo");
            return new Repo(new FileRepository(root), (key, bytes) -> {
                try {
                    Files.createDirectories(root.resolve(key).getParent());
                    Files.write(root.resolve(key), bytes);
                    // a rewrite within the file system's time granularity must still show as a change
                    Files.setLastModifiedTime(root.resolve(key), java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(1)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        S3Client s3 = MotoServer.get().s3();
        String bucket = AwsFixtures.bucket("catalog-index");
        return new Repo(new S3Repository(s3, bucket, "backups", 0),
                (key, bytes) -> s3.putObject(b -> b.bucket(bucket).key("backups/" + key), RequestBody.fromBytes(bytes)));
    }

    /** A real repository that records which keys are read. */
    static final class CountingReads extends ForwardingReadableRepository {
        final List<ObjectKey> reads = new CopyOnWriteArrayList<>();

        CountingReads(Repository inner) {
            super(inner);
        }

        @Override
        public byte[] read(ObjectKey key) {
            reads.add(key);
            return super.read(key);
        }

        long manifestReads() {
            return reads.stream().filter(k -> Layout.idOfManifest(k).isPresent()).count();
        }

        void reset() {
            reads.clear();
        }
    }

    private static List<BackupId> hourly(Repository repo, Instant t0, int n) {
        List<BackupId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(Backups.put(repo, t0.plus(Duration.ofHours(i)), "hourly", null, 10 + i));
        }
        return ids;
    }

    private static List<BackupId> idsOf(Catalog.Listing listing) {
        return listing.backups().stream().map(Manifest::backupId).toList();
    }

    private static List<BackupId> newestFirst(List<BackupId> ids) {
        List<BackupId> out = new ArrayList<>(ids);
        out.sort(java.util.Comparator.comparing(BackupId::value).reversed());
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "s3"})
    void theIndexStandsInForTheManifestsItHoldsAndOnlyForThem(String kind) {
        Repo r = repo(kind);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(20));
        List<BackupId> ids = hourly(r.repository(), t0, 60);
        Catalog.Listing direct = new Catalog(r.repository()).list();

        Optional<ObjectKey> written = Catalog.writeIndex(r.repository(), Instant.now(), Catalog.INDEX_AFTER_READS);
        assertTrue(written.isPresent(), "60 manifests read one by one: an index is written");
        assertTrue(Layout.isCatalogIndex(written.get()), written.get().value());

        CountingReads counting = new CountingReads(r.repository());
        Catalog.Listing indexed = new Catalog(counting).list();
        assertEquals(direct.backups(), indexed.backups(), "the same manifests, from one object");
        assertEquals(List.of(written.get()), counting.reads, "one read: the index");
        assertEquals(60, indexed.fromIndex().size());
        assertEquals(List.of(), indexed.foreign(), "the index is not a foreign object");
        assertEquals(List.of(written.get()), indexed.indexes());

        // New backups since the index: read one by one; the rest still from the index.
        List<BackupId> all = new ArrayList<>(ids);
        all.addAll(hourly(r.repository(), t0.plus(Duration.ofDays(5)), 3));
        counting.reset();
        Catalog.Listing grown = new Catalog(counting).list();
        assertEquals(newestFirst(all), idsOf(grown));
        assertEquals(3, counting.manifestReads());

        // Deleted since the index: gone from the listing, whatever the index says (it never invents a backup).
        r.repository().delete(Layout.manifest(ids.get(7)));
        all.remove(ids.get(7));
        assertEquals(newestFirst(all), idsOf(new Catalog(r.repository()).list()));

        // Rewritten since the index (another object under the same key): the manifest is read, not the index's copy.
        BackupId changed = ids.get(20);
        Manifest replacement = Backups.manifest(changed, t0.plus(Duration.ofHours(20)), "rewritten", "data/other", 999);
        r.overwrite().put(Layout.manifest(changed).value(), replacement.toJson());
        counting.reset();
        Catalog.Listing after = new Catalog(counting).list();
        assertTrue(counting.reads.contains(Layout.manifest(changed)), counting.reads.toString());
        assertEquals("rewritten", after.backups().stream().filter(m -> m.backupId().equals(changed)).findFirst().orElseThrow().label());
        assertFalse(after.fromIndex().containsKey(changed));
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "s3"})
    void fewReadsWriteNoIndexAndStaleIndexesAreNamed(String kind) {
        Repo r = repo(kind);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(20));
        hourly(r.repository(), t0, 5);
        assertEquals(Optional.empty(), Catalog.writeIndex(r.repository(), Instant.now(), Catalog.INDEX_AFTER_READS));
        assertEquals(List.of(), new Catalog(r.repository()).list().indexes());

        ObjectKey older = Catalog.writeIndex(r.repository(), Instant.now().minusSeconds(60), 1).orElseThrow();
        hourly(r.repository(), t0.plus(Duration.ofDays(1)), 2);
        // the two new manifests are not in the index: fewer than afterReads read one by one, no new index
        assertEquals(Optional.empty(), Catalog.writeIndex(r.repository(), Instant.now(), 3));
        ObjectKey newer = Catalog.writeIndex(r.repository(), Instant.now(), 2).orElseThrow();
        Catalog.Listing listing = new Catalog(r.repository()).list();
        assertEquals(List.of(older, newer), listing.indexes());
        assertEquals(List.of(older), listing.staleIndexes());
        assertEquals(7, listing.fromIndex().size(), "the newest index is the one used");
    }

    /** A damaged, truncated or foreign index costs reads, never backups. */
    @ParameterizedTest
    @ValueSource(strings = {"file", "s3"})
    void aDamagedIndexIsPassedOver(String kind) {
        Repo r = repo(kind);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(20));
        List<BackupId> ids = hourly(r.repository(), t0, 40);
        ObjectKey index = Catalog.writeIndex(r.repository(), Instant.now().minusSeconds(5), 1).orElseThrow();
        byte[] good = r.repository().read(index);
        for (byte[] bad : List.of("{ not json".getBytes(StandardCharsets.UTF_8), java.util.Arrays.copyOf(good, good.length / 2),
                "{\"formatVersion\": 2, \"writtenAt\": \"2026-01-01T00:00:00Z\", \"entries\": []}".getBytes(StandardCharsets.UTF_8),
                new String(good, StandardCharsets.UTF_8).replace("\"sha256\":\"", "\"sha256\":\"0").getBytes(StandardCharsets.UTF_8))) {
            ObjectKey newest = Layout.catalogIndex(Instant.now(), "x" + Integer.toString(bad.length, 36));
            r.repository().putIfAbsent(newest, bad);
            CountingReads counting = new CountingReads(r.repository());
            Catalog.Listing listing = new Catalog(counting).list();
            assertEquals(newestFirst(ids), idsOf(listing));
            assertEquals(40, counting.manifestReads(), "every manifest read");
            assertEquals(Collections.emptyMap(), listing.fromIndex());
            r.repository().delete(newest);
        }
    }

    /**
     * A forged copy in the index (a valid manifest of the same backup, padded to the listed size, with its own
     * SHA-256): listed, since the index is written under the manifests' own permission; but {@link Catalog#confirm}
     * finds it differs from the manifest, and what acts on a backup (restore, restore-test, verify, prune's deletions,
     * the drill) confirms first.
     */
    @ParameterizedTest
    @ValueSource(strings = {"file", "s3"})
    void aForgedCopyIsCaughtByConfirm(String kind) {
        Repo r = repo(kind);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(20));
        List<BackupId> ids = hourly(r.repository(), t0, 3);
        BackupId victim = ids.get(1);
        Backups.forgeIndexCopy(r.repository(), victim, Backups.manifest(victim, t0.plus(Duration.ofHours(1)), null, "data/x", 1),
                Instant.now());

        Catalog catalog = new Catalog(r.repository());
        Catalog.Listing listing = catalog.list();
        Manifest served = listing.backups().stream().filter(m -> m.backupId().equals(victim)).findFirst().orElseThrow();
        assertEquals("data/x", served.data().key());
        assertTrue(listing.fromIndex().containsKey(victim));
        Optional<String> problem = catalog.confirm(listing, served);
        assertTrue(problem.isPresent() && problem.get().contains("differs from its copy in the catalog index"), problem.toString());
        assertThrows(RepositoryException.class, () -> catalog.confirmed(listing, served));

        Manifest real = listing.backups().stream().filter(m -> m.backupId().equals(ids.get(0))).findFirst().orElseThrow();
        assertEquals(Optional.empty(), catalog.confirm(listing, real), "read directly: nothing to confirm");
    }
}
