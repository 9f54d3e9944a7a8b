package com.taskmaster.backup.testing;

import com.taskmaster.backup.postgres.DbCredentials;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Configures the Quarkus application under test like a deployed function: a real PostgreSQL sample
 * database, a repository, a local key, and an SNS alert topic in moto (read back through SQS). The AWS
 * SDK reaches moto through its standard settings (the {@code aws.endpointUrl} system property is the
 * in-JVM twin of {@code AWS_ENDPOINT_URL}), exactly as a deployed function would reach AWS.
 */
public class LambdaTestResource implements QuarkusTestResourceLifecycleManager {
    public static DbCredentials database;
    public static AwsFixtures.AlertTopic alerts;
    public static Path repository;
    public static String bucket;

    @Override
    public Map<String, String> start() {
        MotoServer.useForThisJvm();
        database = PostgresServer.get().sampleDatabase("lambda", 0.5);
        alerts = AwsFixtures.alertTopic();
        try {
            Path dir = Files.createTempDirectory("tmb-lambda-");
            repository = dir.resolve("repo");
            Map<String, String> config = new HashMap<>();
            config.put("backup.db-url", "postgresql://" + database.user() + ":" + database.password() + "@" + database.host()
                    + ":" + database.port() + "/" + database.database());
            config.put("backup.repository", "file://" + repository);
            config.put("backup.kms-key", "file://" + dir.resolve("key/backup.key"));
            config.put("backup.alert-topic", alerts.topicArn());
            config.put("quarkus.s3.path-style-access", "true");
            config.put("quarkus.lambda.handler", "backup");
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
