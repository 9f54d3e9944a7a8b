package com.taskmaster.backup.testing;

import com.taskmaster.backup.postgres.DbCredentials;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code verify} function as deployed: a file repository and a file "replica" repository (standing in for
 * the cross-region bucket, which S3 replication fills; tests copy objects there), a local key, and an SNS alert
 * topic in moto read back through SQS.
 */
public class VerifyTestResource implements QuarkusTestResourceLifecycleManager {
    public static DbCredentials database;
    public static AwsFixtures.AlertTopic alerts;
    public static Path repository;
    public static Path replica;
    public static Path key;

    @Override
    public Map<String, String> start() {
        MotoServer.useForThisJvm();
        database = PostgresServer.get().sampleDatabase("verify", 0.3);
        alerts = AwsFixtures.alertTopic();
        try {
            Path dir = Files.createTempDirectory("tmb-verify-");
            repository = dir.resolve("repo");
            replica = dir.resolve("replica");
            key = dir.resolve("key/backup.key");
            Map<String, String> config = new HashMap<>();
            config.put("backup.repository", "file://" + repository);
            config.put("backup.replica-repository", "file://" + replica);
            config.put("backup.kms-key", "file://" + key);
            config.put("backup.alert-topic", alerts.topicArn());
            config.put("quarkus.lambda.handler", "verify");
            return config;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        // servers stop at JVM exit; the temporary directory is left for inspection
    }
}
