package com.taskmaster.backup.testing;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.support.Deadline;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code dr-drill} function as infra/secondary.yaml deploys it, on moto with two regions ({@link TwoRegions}): a
 * backup written in the primary region under the multi-Region key, replicated (simulated) into a replica bucket of
 * the secondary region, the function's S3 and KMS clients in the secondary region, BACKUP_REPLICA_REPOSITORY and
 * BACKUP_REPLICA_KMS_KEY (the replica's ARN), the restore-test server, and an SNS alert topic read back through SQS.
 */
public class DrDrillTestResource implements QuarkusTestResourceLifecycleManager {
    public static AwsFixtures.AlertTopic alerts;
    public static Manifest backup;
    public static String replicaBucket;
    public static String replicaKey;

    @Override
    public Map<String, String> start() {
        MotoServer.useForThisJvm();
        String primaryKey = AwsFixtures.multiRegionKey();
        replicaKey = AwsFixtures.replicate(primaryKey, TwoRegions.SECONDARY);
        String primaryBucket = AwsFixtures.bucket("drill-handler");
        DbCredentials source = PostgresServer.get().sampleDatabase("drhandler", 0.2);
        S3Repository primary = new S3Repository(MotoServer.get().s3(), primaryBucket, "", 0);
        try {
            String id = new BackupService(primary, Keys.open(primaryKey, () -> MotoServer.get().kms()), PostgresServer.get().tools(),
                    Clock.systemUTC()).run(new BackupRequest(null, null, Trigger.manual()), source, "t", Deadline.NONE).backupId();
            backup = Manifest.fromJson(primary.read(Layout.manifest(BackupId.parse(id))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        replicaBucket = TwoRegions.replicate(primaryBucket, TwoRegions.replicatedKeys(backup));
        alerts = AwsFixtures.alertTopic();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.lambda.handler", "dr-drill");
        config.put("backup.replica-repository", "s3://" + replicaBucket);
        config.put("backup.replica-kms-key", replicaKey);
        config.put("backup.alert-topic", alerts.topicArn());
        config.put("backup.database-name", "taskmaster");
        config.put("backup.rpo", "2h");
        config.put("restore-test.db-url", RestoreTestTestResource.url(PostgresServer.scratch().admin()));
        config.put("restore-test.smoke-queries", "SELECT count(*) > 0 FROM taskmaster.users");
        // The function runs in the secondary region: its S3 and KMS clients are that region's (the alert topic of the
        // test stays in moto's default region, as AwsFixtures makes it).
        config.put("quarkus.s3.aws.region", TwoRegions.SECONDARY.id());
        config.put("quarkus.kms.aws.region", TwoRegions.SECONDARY.id());
        config.put("quarkus.s3.path-style-access", "true");
        return config;
    }

    @Override
    public void stop() {
        // servers stop at JVM exit
    }
}
