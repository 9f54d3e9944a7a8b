package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.MotoServer;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.TwoRegions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.taskmaster.backup.lambda.InvokeIT.invoke;
import static com.taskmaster.backup.lambda.InvokeIT.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recovery handlers of the packaged function, through bin/invoke, against S3 and KMS in moto: a backup, its copy
 * in a replica bucket (what S3 replication does), verify with the replica check (the replica's own S3 client),
 * a tampered replica detected and alerted, and a restore into a new database with its fingerprints proven.
 */
class RecoveryInvokeIT {

    @Test
    void backupVerifyWithReplicaThenRestoreThroughTheStandardAwsEnvironment() throws Exception {
        DbCredentials db = PostgresServer.get().sampleDatabase("recoveryit", 0.3);
        String bucket = AwsFixtures.bucket("primary");
        String replicaBucket = AwsFixtures.bucket("replica");
        AwsFixtures.AlertTopic topic = AwsFixtures.alertTopic();
        Map<String, String> env = new HashMap<>(MotoServer.get().childEnvironment());
        env.put("BACKUP_DB_URL", url(db));
        env.put("BACKUP_REPOSITORY", "s3://" + bucket + "/backups");
        env.put("BACKUP_REPLICA_REPOSITORY", "s3://" + replicaBucket + "/backups");
        env.put("BACKUP_KMS_KEY", AwsFixtures.kmsKey());
        env.put("BACKUP_ALERT_TOPIC", topic.topicArn());
        env.put("BACKUP_DATABASE_NAME", "taskmaster-dimension"); // verify's metrics dimension (the template's DatabaseName)

        InvokeIT.Run backup = invoke(env, "backup", "{}");
        assertEquals(0, backup.exit(), backup.all());
        String id = backup.json().get("backupId").asText();
        Manifest m = Manifest.fromJson(new S3Repository(MotoServer.get().s3(), bucket, "backups", 0)
                .read(Layout.manifest(BackupId.parse(id))));
        S3Client s3 = MotoServer.get().s3();
        for (String key : TwoRegions.replicatedKeys(m)) { // what S3 replication copies: every committed object and the manifest
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("backups/" + key).destinationBucket(replicaBucket)
                    .destinationKey("backups/" + key));
        }

        InvokeIT.Run verify = invoke(env, "verify", "{}");
        assertEquals(0, verify.exit(), verify.all());
        JsonNode checked = verify.json().get("checked").get(0);
        assertEquals(id, checked.get("backupId").asText());
        assertEquals("passed", checked.get("outcome").asText());
        assertEquals("identical", checked.get("replica").asText());
        assertTrue(verify.stderr().contains("\"VerifySuccess\":1.0"), "EMF line for the dashboard: " + verify.stderr());
        assertTrue(verify.stderr().contains("\"VerifyBackupsPassed\":1.0"), verify.stderr());
        assertTrue(verify.stderr().contains("\"Database\":\"taskmaster-dimension\""), "the configured dimension: " + verify.stderr());

        byte[] other = "not the backup".getBytes();
        s3.putObject(b -> b.bucket(replicaBucket).key("backups/" + m.data().key()), RequestBody.fromBytes(other));
        InvokeIT.Run tampered = invoke(env, "verify", "{\"backupId\": \"" + id + "\"}");
        assertEquals(1, tampered.exit(), tampered.all());
        assertTrue(tampered.stderr().contains("replica differs: s3://" + replicaBucket + "/backups/" + m.data().key() + " has "
                + other.length + " bytes"), tampered.stderr());
        assertTrue(tampered.stderr().contains("\"VerifyFailure\":1.0"), tampered.stderr());
        assertTrue(tampered.stderr().contains("\"VerifyReplicaProblems\":1.0"), tampered.stderr());
        List<JsonNode> alerts = topic.receive(1);
        assertEquals(1, alerts.size());
        assertEquals(id, alerts.get(0).get("backupId").asText());

        DbCredentials target = PostgresServer.get().createDatabase("recoveryit_target");
        InvokeIT.Run restore = invoke(env, "restore", "{\"backupId\": \"" + id + "\", \"target\": \"" + url(target) + "\"}");
        assertEquals(0, restore.exit(), restore.all());
        assertTrue(restore.json().get("fingerprintsEqual").asBoolean());
        assertEquals(m.tables().size(), restore.json().get("tablesRestored").asInt());
        assertFalse(restore.all().contains(target.password()), "password in output");
    }
}
