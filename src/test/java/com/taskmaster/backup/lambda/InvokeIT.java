package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.MotoServer;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.Restores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged function (target/function.zip) run through bin/invoke, i.e. through the Lambda Runtime API
 * as on AWS, configured only by environment variables, talking to moto through AWS_ENDPOINT_URL.
 */
class InvokeIT {
    static DbCredentials db;

    @TempDir
    Path tmp;

    @BeforeAll
    static void database() {
        db = PostgresServer.get().sampleDatabase("invoke", 0.5);
    }

    record Run(int exit, String stdout, String stderr) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(stdout);
        }

        String all() {
            return stdout + stderr;
        }
    }

    static Run invoke(Map<String, String> env, String handler, String event) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(PostgresServer.repoFile("bin/invoke").toString(), handler, event);
        pb.environment().keySet().removeIf(k -> k.startsWith("BACKUP_") || k.startsWith("AWS_") || k.startsWith("QUARKUS_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "bin/invoke timed out");
        return new Run(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }

    static String url(DbCredentials c) {
        return "postgresql://" + c.user() + ":" + c.password() + "@" + c.host() + ":" + c.port() + "/" + c.database();
    }

    @Test
    void backupThenListWithAFileRepositoryAndALocalKey() throws Exception {
        Map<String, String> env = Map.of("BACKUP_DB_URL", url(db), "BACKUP_REPOSITORY", "file://" + tmp.resolve("repo"),
                "BACKUP_KMS_KEY", "file://" + tmp.resolve("keys/backup.key"), "BACKUP_ALERT_TOPIC", "stderr");
        Run backup = invoke(env, "backup", "{\"label\": \"pre-migration\"}");
        assertEquals(0, backup.exit(), backup.all());
        String id = backup.json().get("backupId").asText();
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("keys/backup.key"))));

        Run list = invoke(env, "list", "{}");
        assertEquals(0, list.exit(), list.all());
        JsonNode entries = list.json().get("backups");
        assertEquals(1, entries.size());
        assertEquals(id, entries.get(0).get("backupId").asText());
        assertEquals("pre-migration", entries.get(0).get("label").asText());
        assertEquals(backup.json().get("storedBytes").asLong(), entries.get(0).get("storedBytes").asLong());
        assertFalse(backup.all().contains(db.password()), "password in output");
        assertFalse(list.all().contains(db.password()), "password in output");
    }

    @Test
    void restoreTestEmitsItsMetricsForTheAlarms() throws Exception {
        DbCredentials admin = PostgresServer.scratch().admin(); // restore-test refuses the source's server
        Map<String, String> env = new HashMap<>(Map.of("BACKUP_DB_URL", url(db), "BACKUP_REPOSITORY", "file://" + tmp.resolve("repo"),
                "BACKUP_KMS_KEY", "file://" + tmp.resolve("keys/backup.key"), "BACKUP_ALERT_TOPIC", "stderr"));
        assertEquals(0, invoke(env, "backup", "{}").exit());
        env.put("RESTORE_TEST_DB_URL", url(admin));
        Run run = invoke(env, "restore-test", "{}");
        assertEquals(0, run.exit(), run.all());
        assertEquals("passed", run.json().get("outcome").asText());
        assertTrue(run.stderr().contains("\"RestoreTestRtoMet\":1.0"), "EMF line for the RTO alarm: " + run.stderr());
        assertTrue(run.stderr().contains("\"RestoreTestSuccess\":1.0"), run.stderr());
        assertTrue(run.stderr().contains("\"RestoreTestRtoSeconds\":14400.0"), "the RTO (default 4h) for the dashboard: " + run.stderr());
        assertTrue(run.stderr().contains("\"Database\":\"" + db.database() + "\""), run.stderr());
        assertFalse(run.all().contains(db.password()), "password in output");
    }

    private Map<String, String> awsEnv(String bucket, String keyArn, String topic, String secretArn) {
        Map<String, String> env = new HashMap<>(MotoServer.get().childEnvironment());
        env.put("BACKUP_DB_SECRET_ARN", secretArn);
        env.put("BACKUP_REPOSITORY", "s3://" + bucket + "/backups");
        env.put("BACKUP_KMS_KEY", keyArn);
        env.put("BACKUP_ALERT_TOPIC", topic);
        return env;
    }

    private static String secret(DbCredentials c, String password) {
        String name = "db-" + System.nanoTime();
        String json = "{\"engine\": \"postgres\", \"host\": \"" + c.host() + "\", \"port\": " + c.port() + ", \"username\": \""
                + c.user() + "\", \"password\": \"" + password + "\", \"dbname\": \"" + c.database() + "\"}";
        return MotoServer.get().secrets().createSecret(b -> b.name(name).secretString(json)).arn();
    }

    @Test
    void backupToS3WithKmsAndASecretThroughTheStandardAwsEnvironment() throws Exception {
        String bucket = AwsFixtures.bucket("invoke");
        String keyArn = AwsFixtures.kmsKey();
        AwsFixtures.AlertTopic topic = AwsFixtures.alertTopic();
        Run run = invoke(awsEnv(bucket, keyArn, topic.topicArn(), secret(db, db.password())), "backup", "{}");
        assertEquals(0, run.exit(), run.all());
        String id = run.json().get("backupId").asText();

        Repository repo = new S3Repository(MotoServer.get().s3(), bucket, "backups", 0);
        Manifest m = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(id))));
        assertEquals(keyArn, m.encryption().keyId());
        Path archive = Restores.decryptToFile(repo, m, Keys.openKms(keyArn, MotoServer.get().kms()), tmp);
        assertEquals(m.tables(), Restores.fingerprints(Restores.pgRestore(archive), m.tables()));
        assertTrue(topic.receive(0).isEmpty(), "no alert on success");
        assertTrue(run.stdout().contains("\"backupId\""));
        assertTrue(run.stderr().contains("\"BackupSuccess\""), "EMF metrics line in the function's output");
    }

    @Test
    void failureFailsTheInvocationAlertsAndLeavesNothingOrSecret() throws Exception {
        String bucket = AwsFixtures.bucket("invoke-fail");
        AwsFixtures.AlertTopic topic = AwsFixtures.alertTopic();
        String wrongPassword = "Wr0ng-" + System.nanoTime() + "-pässwörd";
        Run run = invoke(awsEnv(bucket, AwsFixtures.kmsKey(), topic.topicArn(), secret(db, wrongPassword)), "backup", "{}");
        assertEquals(1, run.exit(), run.all());
        assertTrue(run.stderr().contains("password authentication failed"), run.stderr());
        assertFalse(run.all().contains(wrongPassword), "password in output");

        List<JsonNode> alerts = topic.receive(1);
        assertEquals(1, alerts.size());
        JsonNode alert = alerts.get(0);
        assertEquals("backup", alert.get("handler").asText());
        assertEquals(db.database(), alert.get("database").asText());
        assertTrue(alert.get("error").asText().contains("password authentication failed"), alert.toString());
        assertFalse(alert.get("requestId").asText().isEmpty());
        assertTrue(alert.path("backupId").asText().matches("\\d{8}T\\d{6}Z-.+"), "the alert names the failed backup: " + alert);
        assertFalse(alert.toString().contains(wrongPassword));
        assertTrue(MotoServer.get().s3().listObjectsV2(b -> b.bucket(bucket)).contents().isEmpty());
        assertEquals(0, MotoServer.get().s3().listMultipartUploads(b -> b.bucket(bucket)).uploads().size());
    }

    @Test
    void missingConfigurationIsReportedClearly() throws Exception {
        Run run = invoke(Map.of("BACKUP_REPOSITORY", "file://" + tmp.resolve("repo"), "BACKUP_ALERT_TOPIC", "stderr"), "backup", "{}");
        assertEquals(1, run.exit());
        assertTrue(run.stderr().contains("no database configured: set BACKUP_DB_URL"), run.stderr());
        assertTrue(run.stderr().contains("ALERT {"), "alert on stderr locally: " + run.stderr());
    }
}
