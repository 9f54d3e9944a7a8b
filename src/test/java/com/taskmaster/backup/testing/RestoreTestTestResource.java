package com.taskmaster.backup.testing;

import com.taskmaster.backup.postgres.DbCredentials;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code restore-test} function as deployed: the source sample database (BACKUP_DB_URL), a file repository, a
 * local key, an SNS alert topic in moto, and the restore-test server (RESTORE_TEST_DB_URL: a second test PostgreSQL's
 * maintenance database {@code postgres}) with two smoke queries.
 */
public class RestoreTestTestResource implements QuarkusTestResourceLifecycleManager {
    public static DbCredentials source;
    public static AwsFixtures.AlertTopic alerts;
    public static Path repository;
    public static Path key;

    @Override
    public Map<String, String> start() {
        MotoServer.useForThisJvm();
        source = PostgresServer.get().sampleDatabase("rtsrc", 0.3);
        DbCredentials admin = PostgresServer.scratch().admin(); // a separate server: the source's is refused
        alerts = AwsFixtures.alertTopic();
        try {
            Path dir = Files.createTempDirectory("tmb-restoretest-");
            repository = dir.resolve("repo");
            key = dir.resolve("key/backup.key");
            Map<String, String> config = new HashMap<>();
            config.put("backup.db-url", url(source));
            config.put("backup.repository", "file://" + repository);
            config.put("backup.kms-key", "file://" + key);
            config.put("backup.alert-topic", alerts.topicArn());
            config.put("restore-test.db-url", url(admin));
            config.put("restore-test.smoke-queries", "SELECT count(*) > 0 FROM taskmaster.users\nSELECT bool_and(id IS NOT NULL) FROM taskmaster.tasks");
            config.put("quarkus.lambda.handler", "restore-test");
            return config;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String url(DbCredentials db) {
        return "postgresql://" + db.user() + ":" + db.password() + "@" + db.host() + ":" + db.port() + "/" + db.database();
    }

    @Override
    public void stop() {
        // servers stop at JVM exit; the temporary directory is left for inspection
    }
}
