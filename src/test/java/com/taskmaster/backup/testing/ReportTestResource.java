package com.taskmaster.backup.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * The {@code report} function as deployed: an S3 repository in moto (path-style, as S3-compatible endpoints need), an
 * SNS alert topic in moto (read back through SQS), links valid for one hour.
 */
public class ReportTestResource implements QuarkusTestResourceLifecycleManager {
    public static AwsFixtures.AlertTopic alerts;
    public static String bucket;
    public static final String PREFIX = "backups/taskmaster";

    @Override
    public Map<String, String> start() {
        MotoServer.useForThisJvm();
        alerts = AwsFixtures.alertTopic();
        bucket = AwsFixtures.bucket("report");
        return Map.of("backup.repository", "s3://" + bucket + "/" + PREFIX,
                "backup.alert-topic", alerts.topicArn(),
                "backup.s3-path-style", "true",
                "backup.report-link-validity", "1h",
                "quarkus.s3.path-style-access", "true",
                "quarkus.lambda.handler", "report");
    }

    @Override
    public void stop() {
        // moto stops at JVM exit
    }
}
