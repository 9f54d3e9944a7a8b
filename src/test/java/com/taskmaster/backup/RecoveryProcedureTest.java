package com.taskmaster.backup;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.Commands.Result;
import com.taskmaster.backup.testing.Commands;
import com.taskmaster.backup.testing.MotoServer;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.Restores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/RECOVERY.md followed as literally as this machine allows: every block it marks
 * {@code <!-- run by RecoveryProcedureTest -->} is run, in order, in one bash, with only standard tools (AWS CLI v1,
 * sha256sum, python3 docs/decrypt_backup.py, zstd, createdb, pg_restore, psql). Only the settings of its section 0
 * are the test's own (the emulator's endpoint and credentials, the replica bucket, the test PostgreSQL).
 *
 * <p>Two backups (BackupService, S3 and a multi-Region KMS key in moto) are copied into a second bucket, as S3
 * replication would, and recovered from that "replica" bucket: the one taken at or before a time between them,
 * and the latest.
 *
 * <p>The limits of this machine, also stated in RECOVERY.md: the AWS Encryption CLI cannot be installed (no PyPI), so
 * its block is only checked to be present. moto cannot replicate KMS keys ({@code ReplicateKey} fails) and cannot
 * decrypt data keys of multi-Region keys at all (its ciphertext blob keeps 36 characters of key id; an {@code mrk-}
 * id has 40), so the recovery runs with an ordinary key in moto's one region, which stands in for both the key and
 * "its replica in {@code $REGION}" (the documented sed leaves its ARN unchanged). What can be shown of the replica
 * path is shown separately, with a backup under a real multi-Region key: the decryptor accepts that key's ARN for
 * another region as a replica and calls KMS in that region, and refuses a different key's ARN before any KMS call.
 */
class RecoveryProcedureTest {
    private static final String MARKER = "<!-- run by RecoveryProcedureTest -->";
    private static final Pattern TESTED_BLOCK = Pattern.compile(Pattern.quote(MARKER) + "\\s*\\n```bash\\n(.*?)```", Pattern.DOTALL);

    static String python;
    static DbCredentials source;
    static String keyArn;
    static String replicaBucket;
    static Manifest first;
    static Manifest second;
    static String between;
    static final String OWNER = "recovery_owner_" + ProcessHandle.current().pid();

    @TempDir
    Path tmp;

    @BeforeAll
    static void twoBackupsReplicated() throws Exception {
        python = Commands.python();
        Commands.require("aws", "install the AWS CLI (pip install awscli)");
        Commands.require("zstd", "install it with apt-get install zstd");
        PostgresServer pg = PostgresServer.get();
        source = pg.sampleDatabase("recovery", 0.3);
        pg.psql("postgres", "CREATE ROLE " + OWNER);   // owns a table: the no-tool path restores owners and privileges too
        pg.psql(source.database(), "ALTER TABLE public.app_settings OWNER TO " + OWNER + "; GRANT SELECT ON taskmaster.tasks TO " + OWNER);
        keyArn = AwsFixtures.kmsKey();   // not a multi-Region key: moto cannot decrypt those (see the class comment)
        String bucket = AwsFixtures.bucket("primary");
        Repository repo = new S3Repository(MotoServer.get().s3(), bucket, "backups", 0);
        Envelope key = Keys.openKms(keyArn, MotoServer.get().kms());
        BackupService service = new BackupService(repo, key, pg.tools(), Clock.systemUTC());
        first = manifest(repo, service.run(new BackupRequest(null, null, Trigger.manual()), source, "req-rec-1", Deadline.NONE).backupId());
        between = first.finishedAt().toString();   // ISO-8601 UTC with nanoseconds: the time a restore is asked for
        pg.psql(source.database(), "INSERT INTO public.app_settings (key, value) VALUES ('after.one', '1'), ('after.two', '2')");
        second = manifest(repo, service.run(new BackupRequest(null, null, Trigger.manual()), source, "req-rec-2", Deadline.NONE).backupId());
        assertTrue(first.startedAt().isBefore(Instant.parse(between)) && second.startedAt().isAfter(Instant.parse(between)));
        // A catalog index among the manifests (as backup writes one in a large repository): the procedure skips it.
        com.taskmaster.backup.format.Catalog.writeIndex(repo, Instant.now(), 1).orElseThrow();

        // What S3 replication does: the same objects under the same keys in the other region's bucket.
        replicaBucket = AwsFixtures.bucket("replica");
        var s3 = MotoServer.get().s3();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("backups/")).contents()) {
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(o.key()).destinationBucket(replicaBucket).destinationKey(o.key()));
        }
    }

    private static Manifest manifest(Repository repo, String id) throws Exception {
        return Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(id))));
    }

    @Test
    void pointInTimeBetweenTwoBackupsRestoresTheOlderFromTheReplicaBucket() throws Exception {
        String target = "recovered_pit_" + UUID.randomUUID().toString().substring(0, 8);
        Result r = followRecoveryMd(between, target);
        assertTrue(r.stdout().contains("backup " + first.backupId() + "\n"), r.stdout());
        assertRestored(first, target, r);
        assertEquals(first.tables().stream().filter(t -> t.name().equals("app_settings")).findFirst().orElseThrow().rows(),
                Long.parseLong(PostgresServer.get().psql(target, "SELECT count(*) FROM public.app_settings").strip()),
                "the rows inserted after the chosen backup are absent");
        assertNotEquals(first.tables(), second.tables());
    }

    @Test
    void latestBackupRestoresFromTheReplicaBucket() throws Exception {
        String target = "recovered_latest_" + UUID.randomUUID().toString().substring(0, 8);
        Result r = followRecoveryMd(Instant.now().toString(), target);
        assertTrue(r.stdout().contains("backup " + second.backupId() + "\n"), r.stdout());
        assertRestored(second, target, r);
    }

    @Test
    void aTimeBeforeEveryBackupIsRefusedAndNothingIsCreated() throws Exception {
        String target = "recovered_none_" + UUID.randomUUID().toString().substring(0, 8);
        Result r = followRecoveryMd("2020-01-01T00:00:00Z", target);
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains("no backup taken at or before 2020-01-01T00:00:00Z"), r.stderr());
        assertEquals("0", PostgresServer.get().psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + target + "'").strip());
    }

    /** The decryptor's --kms-key-arn: a replica ARN (same mrk- key id, other region) is used in its own region; any other key is refused. */
    @Test
    void decryptorCallsKmsInTheReplicasRegionAndRefusesOtherKeys() throws Exception {
        String mrk = MotoServer.get().kms().createKey(b -> b.keySpec(KeySpec.SYMMETRIC_DEFAULT).keyUsage(KeyUsageType.ENCRYPT_DECRYPT)
                .multiRegion(true).description("taskmaster-backup multi-Region key")).keyMetadata().arn();
        assertTrue(mrk.contains(":key/mrk-"), mrk);
        Path work = Files.createDirectories(tmp.resolve("decrypt"));
        Repository repo = new S3Repository(MotoServer.get().s3(), AwsFixtures.bucket("mrk"), "backups", 0);
        Manifest m = manifest(repo, new BackupService(repo, Keys.openKms(mrk, MotoServer.get().kms()), PostgresServer.get().tools(),
                Clock.systemUTC()).run(new BackupRequest(null, null, Trigger.manual()), source, "req-rec-3", Deadline.NONE).backupId());
        Path data = Files.write(work.resolve("backup.esdk"), repo.read(ObjectKey.of(m.data().key())));
        Path manifest = Files.write(work.resolve("manifest.json"), m.toJson());
        Map<String, String> env = awsEnvironment();
        String script = PostgresServer.repoFile("docs/decrypt_backup.py").toString();

        String otherRegion = mrk.replace(":" + MotoServer.REGION.id() + ":", ":eu-west-1:");
        Result replica = Commands.exec(tmp, work, env, List.of(python, script, "--kms", "--kms-key-arn", otherRegion,
                "--manifest", manifest.toString(), data.toString(), "out.zst"));
        assertNotEquals(0, replica.exit());
        assertTrue(replica.stderr().contains("KMS Decrypt with key " + otherRegion + " (region eu-west-1) failed"), replica.stderr());

        String otherKey = AwsFixtures.kmsKey();
        Result refused = Commands.exec(tmp, work, env, List.of(python, script, "--kms", "--kms-key-arn", otherKey,
                data.toString(), "out.zst"));
        assertNotEquals(0, refused.exit());
        assertTrue(refused.stderr().contains("is neither the backup's key " + mrk + " nor a multi-Region replica of it"),
                refused.stderr());

        // Without --kms-key-arn, the message's own key is called in its own region. (moto 5.2.1 cannot decrypt data keys
        // of multi-Region keys: its ciphertext blob holds 36 characters of key id, an mrk- id has 40. Either outcome names it.)
        Result own = Commands.exec(tmp, work, env, List.of(python, script, "--kms", data.toString(), "own.zst"));
        assertTrue(own.exit() == 0 || own.stderr().contains("KMS Decrypt with key " + mrk + " (region " + MotoServer.REGION.id() + ")"),
                own.stderr());
        assertTrue(Files.notExists(work.resolve("out.zst")) && Files.notExists(work.resolve("out.zst.partial")));
    }

    @Test
    void theEncryptionCliStepIsDocumentedWithTheReplicaKey() throws Exception {
        String doc = Files.readString(PostgresServer.repoFile("docs/RECOVERY.md"));
        for (String expected : List.of("aws-encryption-cli --decrypt", "--wrapping-keys key=\"$KEY_ARN\"",
                "--encryption-context purpose=taskmaster-backup database=\"$DB\" backupId=\"$ID\"",
                "--commitment-policy require-encrypt-require-decrypt", "--max-encrypted-data-keys 1")) {
            assertTrue(doc.contains(expected), "RECOVERY.md has " + expected);
        }
        assertTrue(testedBlocks(doc).size() >= 6, "the tested blocks are found");
    }

    /** Runs RECOVERY.md's tested blocks with section 0's settings pointing at moto's replica bucket and the test PostgreSQL. */
    private Result followRecoveryMd(String at, String targetDb) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work-" + targetDb));
        StringBuilder script = new StringBuilder("""
                set -euo pipefail
                REGION=%s
                REPO=s3://%s/backups
                DB=%s
                AT=%s
                TARGET_DB=%s
                DOCS=%s
                """.formatted(MotoServer.REGION.id(), replicaBucket, source.database(), at, targetDb,
                PostgresServer.repoFile("docs").toString()));
        for (String block : testedBlocks(Files.readString(PostgresServer.repoFile("docs/RECOVERY.md")))) {
            script.append(block);
        }
        Path file = Files.writeString(work.resolve("recover.sh"), script);

        Map<String, String> env = awsEnvironment();
        Map<String, String> pg = new HashMap<>(PostgresServer.get().admin().libpqEnvironment());
        pg.remove("PGDATABASE");
        env.putAll(pg);
        return Commands.exec(tmp, work, env, List.of("bash", file.toString()));
    }

    private void assertRestored(Manifest m, String targetDb, Result r) throws Exception {
        r.checkOk();
        assertTrue(r.stdout().contains("restored backup " + m.backupId() + " into " + targetDb + ": " + m.tables().size()
                + " tables, every row count equals the manifest's"), r.stdout());
        // Checked again here, independently of the documented query.
        List<TableFingerprint> restored = Restores.fingerprints(PostgresServer.get().admin().withDatabase(targetDb), m.tables());
        assertEquals(m.tables(), restored);
        // The roles object was decrypted and run (section 6), and pg_restore kept owners and privileges.
        assertTrue(Files.readString(tmp.resolve("work-" + targetDb).resolve("roles.sql")).contains("CREATE ROLE " + OWNER + ";"));
        assertEquals(OWNER, PostgresServer.get().psql(targetDb, "SELECT tableowner FROM pg_tables WHERE tablename = 'app_settings'").strip());
        assertEquals("t", PostgresServer.get().psql(targetDb, "SELECT has_table_privilege('" + OWNER + "', 'taskmaster.tasks', 'SELECT')").strip());
    }

    /** The moto endpoint and credentials, and a PATH holding the standard tools the document names (nothing else). */
    private static Map<String, String> awsEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", MotoServer.get().endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_KEY);
        Set<String> path = new LinkedHashSet<>();
        path.add(Path.of(python).getParent().toString());
        path.add(Path.of(Commands.find("aws")).getParent().toString());
        path.add(Path.of(Commands.find("zstd")).getParent().toString());
        path.add(PostgresServer.get().tools().program("pg_restore").getParent().toString());
        path.addAll(List.of("/usr/local/bin", "/usr/bin", "/bin"));
        env.put("PATH", String.join(":", path));
        return env;
    }

    private static List<String> testedBlocks(String doc) {
        List<String> blocks = new ArrayList<>();
        Matcher m = TESTED_BLOCK.matcher(doc);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }
}
