package com.taskmaster.backup.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Configures the application under test as the deployed config-backup function (subclasses: the other configuration
 * functions): a file repository, a local key, an SNS alert topic in moto, and the live configuration of an
 * {@link AppConfigFixture} in moto.
 */
public class ConfigBackupTestResource implements QuarkusTestResourceLifecycleManager {
    public static AwsFixtures.AlertTopic alerts;
    public static Path repository;
    public static Path key;
    public static AppConfigFixture live;

    protected String handler() {
        return "config-backup";
    }

    @Override
    public Map<String, String> start() {
        MotoServer.useForThisJvm();
        alerts = AwsFixtures.alertTopic();
        live = new AppConfigFixture();
        try {
            Path dir = Files.createTempDirectory("tmb-config-");
            repository = dir.resolve("repo");
            key = dir.resolve("key/backup.key");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> config = new HashMap<>(live.settings());
        config.put("backup.repository", "file://" + repository);
        config.put("backup.kms-key", "file://" + key);
        config.put("backup.alert-topic", alerts.topicArn());
        config.put("backup.database-name", "taskmaster");
        config.put("quarkus.lambda.handler", handler());
        return config;
    }

    @Override
    public void stop() {
        // the temporary directory is left for inspection
    }
}
