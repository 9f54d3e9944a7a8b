package com.taskmaster.backup.format;

import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ForwardingReadableRepository;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Bounded;
import com.taskmaster.backup.testing.Backups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
