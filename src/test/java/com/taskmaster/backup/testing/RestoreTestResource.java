package com.taskmaster.backup.testing;

import com.taskmaster.backup.postgres.DbCredentials;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code restore} function as deployed: a file repository, a local key, an SNS alert topic in moto, and a
 * source sample database (in which one table is owned by an extra role and another granted to it), from which the
 * tests take their backups. Targets are fresh databases on the same real PostgreSQL.
 */
public class RestoreTestResource implements QuarkusTestResourceLifecycleManager {
    public static DbCredentials source;
    public static AwsFixtures.AlertTopic alerts;
    public static Path repository;
    public static Path key;
    public static String role;

    @Override
    public Map<String, String> start() {
        MotoServer.useForThisJvm();
        PostgresServer pg = PostgresServer.get();
        source = pg.sampleDatabase("restoresrc", 0.3);
        role = "app_owner_" + ProcessHandle.current().pid();
        pg.psql("postgres", "CREATE ROLE " + role);
        pg.psql(source.database(), "ALTER TABLE taskmaster.tags OWNER TO " + role
                + "; GRANT SELECT ON taskmaster.tasks TO " + role);
        alerts = AwsFixtures.alertTopic();
        try {
            Path dir = Files.createTempDirectory("tmb-restore-");
            repository = dir.resolve("repo");
            key = dir.resolve("key/backup.key");
            Map<String, String> config = new HashMap<>();
            config.put("backup.repository", "file://" + repository);
            config.put("backup.kms-key", "file://" + key);
            config.put("backup.alert-topic", alerts.topicArn());
            config.put("quarkus.lambda.handler", "restore");
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
