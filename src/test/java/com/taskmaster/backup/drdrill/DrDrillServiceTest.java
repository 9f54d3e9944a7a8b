package com.taskmaster.backup.drdrill;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.ScratchDatabases;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.Repositories;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.KmsCalls;
import com.taskmaster.backup.testing.MotoServer;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.TwoRegions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The disaster-recovery drill on moto with two regions (one moto_server serves both; S3 buckets and KMS keys are per
 * region). The primary region ({@link #PRIMARY}) holds the primary bucket and the multi-Region envelope key, under
 * which a real backup of a real PostgreSQL database is written; the secondary region ({@link #SECONDARY}) holds the
 * replica bucket and the key's replica. Replication is SIMULATED: the test copies the backup's objects (manifest and
 * data object, bytes as they are) into the replica bucket, as S3 replication does, since moto does not replicate.
 *
 * <p>Then the primary region is taken away: its bucket emptied and deleted, its key scheduled for deletion, and the
 * drill is given only clients of the secondary region (S3 without cross-region access, KMS refusing any other region),
 * whose every signed request is recorded: the drill passes, and no request of it was signed for the primary region.
 *
 * <p>moto 5.2.1 cannot decrypt data keys of multi-Region keys as shipped; the tests' moto_server is started with the
 * deployment rehearsal's patch for it (MotoServer, infra/rehearsal/motoserver.py {@code _multi_region_key_ids}).
 */
class DrDrillServiceTest {
    static final Region PRIMARY = TwoRegions.PRIMARY;
    static final Region SECONDARY = TwoRegions.SECONDARY;
    static final List<String> SMOKE = List.of("SELECT count(*) > 0 FROM taskmaster.users");

    static String primaryKey;
    static String replicaKey;
    static Manifest backup;
    static String primaryBucket;
    static List<String> backupKeys;
    /** What replication copied into the secondary region once; each test copies it into a replica bucket of its own. */
    static String replicated;

    @BeforeAll
    static void aBackupInThePrimaryRegion() throws Exception {
        primaryKey = AwsFixtures.multiRegionKey();
        replicaKey = AwsFixtures.replicate(primaryKey, SECONDARY);
        primaryBucket = AwsFixtures.bucket("drill-primary");
        DbCredentials source = PostgresServer.get().sampleDatabase("drill", 0.2);
        S3Repository primary = new S3Repository(MotoServer.get().s3(), primaryBucket, "", 0);
        String id = new BackupService(primary, Keys.open(primaryKey, () -> MotoServer.get().kms(PRIMARY)), PostgresServer.get().tools(),
                Clock.systemUTC()).run(new BackupRequest(null, null, Trigger.manual()), source, "drill", Deadline.NONE).backupId();
        backup = Manifest.fromJson(primary.read(Layout.manifest(BackupId.parse(id))));
        backupKeys = TwoRegions.replicatedKeys(backup);
        replicated = TwoRegions.replicate(primaryBucket, backupKeys);
    }

    /** Records the region every request is signed for (moto, like AWS, serves it there), for any service. */
    static final class SignedRegions implements ExecutionInterceptor {
        private static final Pattern SIGNED = Pattern.compile("Credential=[^/]+/[0-9]{8}/([a-z0-9-]+)/([a-z0-9]+)/aws4_request");
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            Matcher m = SIGNED.matcher(context.httpRequest().firstMatchingHeader("Authorization").orElse(""));
            calls.add(m.find() ? m.group(2) + "@" + m.group(1) : "unsigned");
        }
    }

    static S3Client s3(Region region, ExecutionInterceptor... observers) {
        return TwoRegions.s3(region, observers);
    }

    /** A bucket in the secondary region holding what S3 replication would have copied of {@code keys} (bytes as they are). */
    static String replicaBucket(List<String> keys) {
        return TwoRegions.replicate(replicated, keys);
    }

    record Drill(DrDrillService service, SignedRegions s3Calls, KmsCalls kmsCalls, String bucket) {
    }

    static Drill drill(String bucket, String key, Duration rpo, Clock clock) {
        SignedRegions s3Calls = new SignedRegions();
        KmsCalls kmsCalls = new KmsCalls();
        S3Client s3 = s3(SECONDARY, s3Calls);
        KmsClient kms = MotoServer.get().kms(SECONDARY, kmsCalls);
        DrDrillService service = new DrDrillService(Repositories.appendOnly(new S3Repository(s3, bucket, "", 0)),
                () -> Keys.openExisting(key, () -> kms), PostgresServer.get().tools(), PostgresServer.scratch().admin(), List.of(),
                SMOKE, rpo, Duration.ofHours(4), SECONDARY.id(), clock);
        return new Drill(service, s3Calls, kmsCalls, bucket);
    }

    static List<String> reports(String bucket) {
        return s3(SECONDARY).listObjectsV2(b -> b.bucket(bucket).prefix(Layout.DR_DRILL_REPORTS)).contents().stream()
                .map(S3Object::key).toList();
    }

    static String scratchDatabases() {
        return PostgresServer.scratch().psql("postgres", "SELECT coalesce(string_agg(datname, ','), '') FROM pg_database "
                + "WHERE datname LIKE 'tmb_dr_drill_%'").strip();
    }

    @Test
    void theDrillRestoresTheReplicaWithTheReplicaKeyWhileThePrimaryRegionIsGone() throws Exception {
        String bucket = replicaBucket(backupKeys);
        // The primary region is gone: its bucket and everything in it, and its key (scheduled for deletion).
        S3Client primaryS3 = MotoServer.get().s3();
        primaryS3.listObjectsV2(b -> b.bucket(primaryBucket)).contents()
                .forEach(o -> primaryS3.deleteObject(b -> b.bucket(primaryBucket).key(o.key())));
        primaryS3.deleteBucket(b -> b.bucket(primaryBucket));
        String primaryKeyId = primaryKey.substring(primaryKey.indexOf(":key/") + 5);
        MotoServer.get().kms(PRIMARY).scheduleKeyDeletion(b -> b.keyId(primaryKeyId).pendingWindowInDays(7));

        Drill drill = drill(bucket, replicaKey, Duration.ofHours(1), Clock.systemUTC());
        DrDrillReport report = drill.service().run(Deadline.NONE);

        assertEquals("passed", report.outcome(), report.summary());
        assertEquals(backup.backupId().value(), report.backupId());
        assertEquals(replicaKey, report.keyId());
        assertEquals(primaryKey, report.backupKeyId());
        assertTrue(report.rpoMet());
        assertTrue(Duration.parse(report.achievedRpo()).compareTo(Duration.ofHours(1)) < 0, report.achievedRpo());
        assertTrue(Duration.parse(report.achievedRpo()).compareTo(Duration.parse(report.replicationLag())) >= 0);
        assertTrue(report.rtoMet());
        assertEquals(backup.tables().size(), report.tablesRestored());
        assertTrue(report.proof().startsWith("content fingerprints"), report.proof());
        assertTrue(report.tables().stream().allMatch(t -> t.rowsEqual() && Boolean.TRUE.equals(t.digestEqual())));
        assertEquals(List.of(true), report.smokeQueries().stream().map(o -> o.passed()).toList());
        assertTrue(report.scratchDropped());
        assertEquals("", scratchDatabases());
        String stored = "reports/dr-drill/" + report.report().substring(report.report().lastIndexOf('/') + 1);
        assertEquals("s3://" + bucket + "/" + stored, report.report());
        assertEquals(List.of(stored, stored.replace(".json", ".txt")), reports(bucket));
        String json = new String(s3(SECONDARY).getObjectAsBytes(b -> b.bucket(bucket).key(stored)).asByteArray(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"outcome\" : \"passed\""), json);
        System.out.println("dr-drill report (DrDrillServiceTest):\n" + json);

        // Only the secondary region was called: every S3 and KMS request signed for it, KMS only with the replica key.
        assertFalse(drill.s3Calls().calls.isEmpty());
        assertTrue(drill.s3Calls().calls.stream().allMatch(c -> c.equals("s3@" + SECONDARY.id())), drill.s3Calls().calls.toString());
        assertTrue(drill.kmsCalls().all().stream().allMatch(c -> c.signedRegion().equals(SECONDARY.id()) && replicaKey.equals(c.keyId())),
                drill.kmsCalls().all().toString());
        assertFalse(drill.kmsCalls().of("Decrypt").isEmpty(), "the data key unwrapped by KMS in the secondary region");
    }

    static DrDrillReport fails(Drill drill, String... expected) {
        DrDrillFailedException e = assertThrows(DrDrillFailedException.class, () -> drill.service().run(Deadline.NONE));
        for (String x : expected) {
            assertTrue(e.getMessage().contains(x), "expected '" + x + "' in: " + e.getMessage());
        }
        DrDrillReport report = e.report();
        assertEquals("failed", report.outcome());
        assertNotNull(report.report(), "the report is written");
        assertEquals(2, reports(drill.bucket()).size(), "JSON and text summary: " + reports(drill.bucket()));
        assertEquals("", scratchDatabases());
        assertTrue(drill.s3Calls().calls.stream().allMatch(c -> c.equals("s3@" + SECONDARY.id())), drill.s3Calls().calls.toString());
        return report;
    }

    @Test
    void scratchDatabasesEarlierDrillsLeftAreDroppedOnlyWhenMarkedAndOld() {
        // what a drill killed mid-way left a week ago, and look-alikes that are not ours (unmarked, or too recent)
        String left = "tmb_dr_drill_20200101t000000_abcd";
        String unmarked = "tmb_dr_drill_20200101t000000_wxyz";
        String recent = ScratchDatabases.name(DrDrillService.SCRATCH_PREFIX, java.time.Instant.now().minusSeconds(3600)); // an hour old
        PostgresServer scratch = PostgresServer.scratch();
        for (String db : List.of(left, unmarked, recent)) {
            scratch.psql("postgres", "CREATE DATABASE " + db);
        }
        scratch.psql("postgres", "COMMENT ON DATABASE " + left + " IS '" + ScratchDatabases.marker(left) + "'");
        scratch.psql("postgres", "COMMENT ON DATABASE " + recent + " IS '" + ScratchDatabases.marker(recent) + "'");
        try {
            DrDrillReport report = drill(replicaBucket(backupKeys), replicaKey, Duration.ofHours(1), Clock.systemUTC()).service()
                    .run(Deadline.NONE);
            assertEquals(List.of(left), report.leftoversDropped());
            assertEquals(List.of(recent, unmarked).stream().sorted().toList(), List.of(scratchDatabases().split(",")).stream().sorted().toList());
        } finally {
            for (String db : List.of(left, unmarked, recent)) {
                scratch.psql("postgres", "DROP DATABASE IF EXISTS " + db);
            }
        }
    }


    @Test
    void anEmptyReplicaFailsTheDrillClearly() {
        Drill drill = drill(replicaBucket(List.of()), replicaKey, Duration.ofHours(1), Clock.systemUTC());
        DrDrillReport report = fails(drill, "holds no complete backup", "the replica is missing");
        assertTrue(report.report().endsWith("-none.json"), report.report());
        assertEquals(null, report.backupId());
    }

    @Test
    void aManifestWhoseDataObjectWasNotReplicatedIsNamedAndNotRestored() {
        Drill drill = drill(replicaBucket(List.of(Layout.manifest(backup.backupId()).value())), replicaKey, Duration.ofHours(1),
                Clock.systemUTC());
        DrDrillReport report = fails(drill, "holds no complete backup", backup.backupId() + ": data object " + backup.data().key()
                + " and roles object");
        assertEquals(List.of(backup.backupId() + ": data object " + backup.data().key() + " and roles object "
                + backup.roles().object().key() + " not in the replica"), report.notReplicated());
    }

    /** Scenario 3 restores owners and privileges from the replica: a backup whose roles object is not there is not complete. */
    @Test
    void aBackupWhoseRolesObjectWasNotReplicatedIsNamedAndNotRestored() {
        Drill drill = drill(replicaBucket(List.of(backup.data().key(), Layout.manifest(backup.backupId()).value())), replicaKey,
                Duration.ofHours(1), Clock.systemUTC());
        DrDrillReport report = fails(drill, "holds no complete backup", "roles object " + backup.roles().object().key()
                + " not in the replica");
        assertEquals(List.of(backup.backupId() + ": roles object " + backup.roles().object().key() + " not in the replica"),
                report.notReplicated());
    }

    @Test
    void aStaleReplicaMissesTheRpoButIsStillRestoredAndMeasured() {
        // the drill runs three hours after the newest replicated backup: beyond an RPO of one hour
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(3));
        Drill drill = drill(replicaBucket(backupKeys), replicaKey, Duration.ofHours(1), later);
        DrDrillReport report = fails(drill, "the RPO of PT1H is missed: the newest replicated backup " + backup.backupId());
        assertFalse(report.rpoMet());
        assertTrue(Duration.parse(report.achievedRpo()).compareTo(Duration.ofHours(3)) >= 0, report.achievedRpo());
        assertEquals(1, report.failures().size(), report.failures().toString());
        assertTrue(report.rtoMet(), "the restore itself worked and was measured");
        assertEquals(backup.tables().size(), report.tablesRestored());
    }

    @Test
    void aReplicaWithOtherBytesFailsTheDrillAndNothingIsRestored() {
        String bucket = replicaBucket(backupKeys);
        S3Client s3 = s3(SECONDARY);
        byte[] data = s3.getObjectAsBytes(b -> b.bucket(bucket).key(backup.data().key())).asByteArray();
        data[data.length / 2] ^= 0x01; // one bit of the replica differs from what the primary wrote
        s3.putObject(b -> b.bucket(bucket).key(backup.data().key()), RequestBody.fromBytes(data));
        DrDrillReport report = fails(drill(bucket, replicaKey, Duration.ofHours(1), Clock.systemUTC()),
                "restore of backup " + backup.backupId(), "nothing was committed");
        assertEquals(null, report.tablesRestored());
        assertTrue(report.scratchDropped());
    }

    @Test
    void aReplicaKeyThatDoesNotExistFailsTheDrillBeforeAnythingIsCreated() {
        String missing = replicaKey.substring(0, replicaKey.indexOf(":key/") + 5) + "mrk-0123456789abcdef0123456789abcdef";
        DrDrillReport report = fails(drill(replicaBucket(backupKeys), missing, Duration.ofHours(1), Clock.systemUTC()),
                "the replica key cannot be used: KMS key '" + missing + "' cannot be used", "nothing was restored");
        assertEquals(null, report.scratchDatabase());
    }

    @Test
    void theReplicaOfAnotherMultiRegionKeyIsRefusedByName() {
        String other = AwsFixtures.replicate(AwsFixtures.multiRegionKey(), SECONDARY);
        DrDrillReport report = fails(drill(replicaBucket(backupKeys), other, Duration.ofHours(1), Clock.systemUTC()),
                "the replica key " + other + " cannot unwrap backup " + backup.backupId(), "not that key's multi-Region replica");
        assertEquals(null, report.scratchDatabase());
    }
}
