package com.taskmaster.backup.format;

import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ForwardingReadableRepository;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.RepositoryException;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.support.Bounded;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.Backups;
import com.taskmaster.backup.testing.MotoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 9, item 9: the catalog reads manifests concurrently, at most {@link Bounded#READS} at a time, with the same result. */
class CatalogTest {
    @TempDir
    Path dir;

    /** A real file repository whose reads take a while (as S3 round trips do) and which counts how many overlap. */
    static final class SlowReads extends ForwardingReadableRepository {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();

        SlowReads(Repository inner) {
            super(inner);
        }

        @Override
        public byte[] read(ObjectKey key) {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
                return super.read(key);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    @Test
    void manifestsAreReadConcurrentlyBoundedAndTheListingIsTheSame() {
        Repository repo = new FileRepository(dir.resolve("repo"));
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(30));
        List<BackupId> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            ids.add(Backups.put(repo, t0.plus(Duration.ofHours(i)), "hourly", null, 10));
        }
        BackupId bad = BackupId.scheduled(t0.minus(Duration.ofDays(1)), "bad");
        repo.putIfAbsent(Layout.manifest(bad), "{ not json".getBytes());

        SlowReads slow = new SlowReads(repo);
        Catalog.Listing listing = new Catalog(slow).list();

        java.util.Collections.reverse(ids);
        assertEquals(ids, listing.backups().stream().map(Manifest::backupId).toList(), "newest first, all of them");
        assertEquals(1, listing.unreadable().size(), listing.unreadable().toString());
        assertTrue(listing.unreadable().get(0).startsWith(Layout.manifest(bad).value()), listing.unreadable().toString());
        assertTrue(slow.most.get() > 1, "reads overlap: " + slow.most.get());
        assertTrue(slow.most.get() <= Bounded.READS, "at most " + Bounded.READS + " at a time: " + slow.most.get());
    }

    /** A real repository whose reads of some keys fail the way a refused or failing store does. */
    static final class FailingReads extends ForwardingReadableRepository {
        final Set<ObjectKey> failing;

        FailingReads(Repository inner, Set<ObjectKey> failing) {
            super(inner);
            this.failing = failing;
        }

        @Override
        public byte[] read(ObjectKey key) {
            if (failing.contains(key)) {
                throw new RepositoryException("cannot read " + uriOf(key) + ": access denied (test)");
            }
            return super.read(key);
        }
    }

    /**
     * Reads that fail (not damaged manifests: the store refused or failed) fail the whole listing, never shrink it (a
     * partial catalog must not reach prune or restore's "newest at or before"), and every failed key is named, not
     * only the first.
     */
    @Test
    void everyFailedReadIsNamedAndNothingIsListed() {
        Repository repo = new FileRepository(dir.resolve("repo"));
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(3));
        List<BackupId> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(Backups.put(repo, t0.plus(Duration.ofHours(i)), "hourly", null, 10));
        }
        ObjectKey first = Layout.manifest(ids.get(3));
        ObjectKey second = Layout.manifest(ids.get(31));

        RepositoryException e = assertThrows(RepositoryException.class,
                () -> new Catalog(new FailingReads(repo, Set.of(first, second))).list());

        assertTrue(e.getMessage().startsWith("cannot read 2 of 40 manifest(s)"), e.getMessage());
        assertTrue(e.getMessage().contains(first.value()) && e.getMessage().contains(second.value()), e.getMessage());
        assertEquals(1, e.getSuppressed().length);
    }

    /** Many failed reads: the message names the first {@link Catalog#NAMED_FAILURES} and counts the rest. */
    @Test
    void manyFailedReadsAreCounted() {
        Repository repo = new FileRepository(dir.resolve("repo"));
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(3));
        Set<ObjectKey> all = new java.util.HashSet<>();
        for (int i = 0; i < Catalog.NAMED_FAILURES + 5; i++) {
            all.add(Layout.manifest(Backups.put(repo, t0.plus(Duration.ofHours(i)), "hourly", null, 10)));
        }
        RepositoryException e = assertThrows(RepositoryException.class, () -> new Catalog(new FailingReads(repo, all)).list());
        assertTrue(e.getMessage().endsWith("; and 5 more"), e.getMessage());
        assertEquals(all.size() - 1, e.getSuppressed().length);
    }

    /**
     * The same listing (backups newest first, unreadable and foreign keys) from a few hundred manifests on a file
     * repository and on S3 (moto), with a damaged manifest, one naming another backup and a stray file among them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"file", "s3"})
    void aFewHundredManifestsListTheSameOnEveryRepository(String kind) {
        Repository repo;
        java.util.function.BiConsumer<String, byte[]> putForeign;
        if (kind.equals("file")) {
            Path root = dir.resolve("repo");
            repo = new FileRepository(root);
            putForeign = (key, bytes) -> {
                try {
                    java.nio.file.Files.createDirectories(root.resolve(key).getParent());
                    java.nio.file.Files.write(root.resolve(key), bytes);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
        } else {
            var s3 = MotoServer.get().s3();
            String bucket = AwsFixtures.bucket("catalog");
            repo = new S3Repository(s3, bucket, "backups", 0);
            putForeign = (key, bytes) -> s3.putObject(b -> b.bucket(bucket).key("backups/" + key), RequestBody.fromBytes(bytes));
        }
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(30));
        List<BackupId> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Instant t = t0.plus(Duration.ofHours(i));
            // now and then a second backup of the same second: ordered by id after time
            for (String schedule : i % 100 == 7 ? List.of("hourly", "manual-b") : List.of("hourly")) {
                BackupId id = BackupId.scheduled(t, schedule);
                repo.putIfAbsent(Layout.manifest(id), Backups.manifest(id, t, null, Layout.data(id, "a1").value(), 10).toJson());
                ids.add(id);
            }
        }
        BackupId damaged = BackupId.scheduled(t0.minus(Duration.ofDays(1)), "hourly");
        repo.putIfAbsent(Layout.manifest(damaged), "{ not json".getBytes());
        BackupId impostor = BackupId.scheduled(t0.minus(Duration.ofDays(2)), "hourly");
        repo.putIfAbsent(Layout.manifest(impostor), Backups.manifest(ids.get(0), t0, null, "data/x", 10).toJson());
        putForeign.accept("manifests/" + ids.get(5) + ".json~", "{}".getBytes());

        Catalog.Listing listing = new Catalog(repo).list();

        List<BackupId> newestFirst = new ArrayList<>(ids);
        newestFirst.sort(java.util.Comparator.comparing(BackupId::value).reversed());
        assertEquals(newestFirst, listing.backups().stream().map(Manifest::backupId).toList(), kind);
        assertEquals(2, listing.unreadable().size(), listing.unreadable().toString());
        assertTrue(listing.unreadable().get(0).startsWith(Layout.manifest(impostor).value() + ": names backup " + ids.get(0)),
                listing.unreadable().toString());
        assertTrue(listing.unreadable().get(1).startsWith(Layout.manifest(damaged).value() + ": "), listing.unreadable().toString());
        assertEquals(List.of("manifests/" + ids.get(5) + ".json~"), listing.foreign());
    }
}
