package com.taskmaster.backup.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Configures the application under test as the deployed prune function: handler {@code prune}, a file
 * repository, default retention settings, and an SNS alert topic in moto (read back through SQS). No database.
 */
public class PruneLambdaTestResource implements QuarkusTestResourceLifecycleManager {
    public static AwsFixtures.AlertTopic alerts;
    public static Path repository;

    @Override
    public Map<String, String> start() {
        MotoServer.useForThisJvm();
        alerts = AwsFixtures.alertTopic();
        try {
            repository = Files.createTempDirectory("tmb-prune-").resolve("repo");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("backup.repository", "file://" + repository);
        config.put("backup.alert-topic", alerts.topicArn());
        config.put("quarkus.s3.path-style-access", "true");
        config.put("quarkus.lambda.handler", "prune");
        return config;
    }

    @Override
    public void stop() {
        // the temporary directory is left for inspection
    }
}
