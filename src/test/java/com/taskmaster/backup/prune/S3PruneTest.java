package com.taskmaster.backup.prune;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.MotoObjectLock;
import com.taskmaster.backup.testing.MotoServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prune against S3 (moto); neighbours are other prefixes of the same bucket. */
class S3PruneTest extends PruneServiceContractTest {
    private final S3Client s3 = MotoServer.get().s3();
    private String bucket;
    private int n;

    @Override
    protected Repository newRepository() {
        bucket = bucket == null ? AwsFixtures.bucket("prune") : bucket;
        return new S3Repository(s3, bucket, "backups/taskmaster-" + n++, 0);
    }

    @Override
    protected Repository neighbour() {
        return new S3Repository(s3, bucket, "backups/neighbour-" + n++, 0);
    }

    @Override
    protected int randomHistories() {
        return 6;
    }

    @Override
    protected void putForeign(String relativeKey, byte[] content) {
        String prefix = repo.uri().substring(("s3://" + bucket + "/").length());
        s3.putObject(b -> b.bucket(bucket).key(prefix + "/" + relativeKey), RequestBody.fromBytes(content));
    }

    @Test
    void foreignObjectsUnderThePrefixAreNeverTouched() {
        history(repo, 45);
        String prefix = repo.uri().substring(("s3://" + bucket + "/").length());
        s3.putObject(b -> b.bucket(bucket).key(prefix + "/data/../20200101T000000Z-x.a1.pgdump.zst.esdk"), RequestBody.fromString("x"));
        s3.putObject(b -> b.bucket(bucket).key(prefix + "/data/20200101T000000Z-foreign"), RequestBody.fromString("x"));
        s3.putObject(b -> b.bucket(bucket).key(prefix + "-sibling/data/20200101T000000Z-x.a1.pgdump.zst.esdk"), RequestBody.fromString("x"));
        service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r", Deadline.NONE);
        for (String key : new String[] {prefix + "/data/../20200101T000000Z-x.a1.pgdump.zst.esdk",
                prefix + "/data/20200101T000000Z-foreign",
                prefix + "-sibling/data/20200101T000000Z-x.a1.pgdump.zst.esdk"}) {
            assertEquals(1, s3.listObjectsV2(b -> b.bucket(bucket).prefix(key)).contents().size(), key);
        }
    }

    /**
     * For real on moto, in a bucket created with Object Lock: a backup whose manifest has a GOVERNANCE retention
     * until after now and one whose manifest has a legal hold, in an old daily history, survive a real prune with
     * their reasons; the rest goes. moto 5.2.1 has no GetObjectRetention: that one call is answered from moto's
     * HeadObject by {@link MotoObjectLock#withRetentionFromHead} (all else, legal holds and the bucket's Object Lock
     * configuration included, is moto's own).
     */
    @Test
    void backupsUnderObjectLockRetentionOrLegalHoldSurviveARealPrune() {
        String lockedBucket = MotoObjectLock.lockedBucket("prunelock");
        Repository locked = new S3Repository(MotoObjectLock.withRetentionFromHead(s3), lockedBucket, "backups/taskmaster", 0);
        Instant old = NOW.minus(Duration.ofDays(900));
        List<BackupId> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(put(locked, old.plus(Duration.ofDays(i)), "daily", null));
        }
        BackupId retained = ids.get(2);
        BackupId held = ids.get(6);
        Instant until = NOW.plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);
        s3.putObjectRetention(b -> b.bucket(lockedBucket).key("backups/taskmaster/" + Layout.manifest(retained).value())
                .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(until)));
        s3.putObjectLegalHold(b -> b.bucket(lockedBucket).key("backups/taskmaster/" + Layout.manifest(held).value())
                .legalHold(h -> h.status(ObjectLockLegalHoldStatus.ON)));

        PruneReport r = service(locked, RetentionPolicy.DEFAULTS.withMaxDeletePercent(100)).run(new PruneRequest(false, "scheduled:prune"), "r", Deadline.NONE);
        Map<String, List<String>> kept = r.kept().stream().collect(Collectors.toMap(PruneReport.Entry::backupId, PruneReport.Entry::reasons));
        assertEquals(Map.of(retained.value(), List.of("object-lock"), held.value(), List.of("legal-hold"),
                ids.get(9).value(), List.of("newest-3"), ids.get(10).value(), List.of("newest-3"),
                ids.get(11).value(), List.of("newest-3")), kept);
        assertEquals(7, r.deletedCount());
        assertEquals(Set.of(retained, held, ids.get(9), ids.get(10), ids.get(11)),
                new Catalog(locked).list().backups().stream().map(m -> m.backupId()).collect(Collectors.toSet()),
                "the locked backups are still in the catalog");
        for (BackupId id : List.of(retained, held)) {
            assertTrue(locked.stat(Layout.data(id, "a1")).isPresent(), "data of " + id);
        }
        assertEquals(0, service(locked, RetentionPolicy.DEFAULTS.withMaxDeletePercent(100)).run(new PruneRequest(false, "manual"), "r2", Deadline.NONE).deletedCount());
    }

    /** A bucket without Object Lock (every other test here): one GetObjectLockConfiguration, then prune as before. */
    @Test
    void aBucketWithoutObjectLockPrunesUnchanged() {
        history(repo, 45);
        PruneReport r = service(repo, RetentionPolicy.DEFAULTS).run(new PruneRequest(false, "manual"), "r", Deadline.NONE);
        assertTrue(r.deletedCount() > 0);
        assertTrue(r.kept().stream().noneMatch(e -> e.reasons().contains("object-lock") || e.reasons().contains("legal-hold")));
    }
}
