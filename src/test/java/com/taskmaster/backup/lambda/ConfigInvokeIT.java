package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.testing.AppConfigFixture;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.MotoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged config-backup, config-export and config-restore functions through bin/invoke (so, in CI's native pass,
 * the native executable: SSM, Secrets Manager, Lambda and ECS clients, KMS envelope, SNS alert), configured only by
 * environment variables, against the API's configuration in moto.
 */
class ConfigInvokeIT {
    @TempDir
    Path tmp;

    @Test
    void snapshotDriftAlertExportAndDryRunRestoreWithoutASecretInAnyOutput() throws Exception {
        AppConfigFixture live = new AppConfigFixture();
        AwsFixtures.AlertTopic topic = AwsFixtures.alertTopic();
        Map<String, String> env = new HashMap<>(MotoServer.get().childEnvironment());
        env.put("BACKUP_REPOSITORY", "file://" + tmp.resolve("repo"));
        env.put("BACKUP_KMS_KEY", AwsFixtures.kmsKey());
        env.put("BACKUP_ALERT_TOPIC", topic.topicArn());
        env.put("BACKUP_DATABASE_NAME", "taskmaster");
        env.put("CONFIG_PARAMETER_PATHS", live.path);
        env.put("CONFIG_SECRET_IDS", live.secretName);
        env.put("CONFIG_FUNCTIONS", live.function);
        env.put("CONFIG_TASK_DEFINITIONS", live.taskFamily);

        InvokeIT.Run first = InvokeIT.invoke(env, "config-backup", "{}");
        assertEquals(0, first.exit(), first.all());
        JsonNode r1 = first.json();
        assertFalse(r1.get("duplicate").asBoolean(), r1.toString());
        assertEquals(3, r1.at("/counts/parameters").asInt(), r1.toString());
        assertEquals(1, r1.at("/counts/secrets").asInt());
        assertEquals(1, r1.at("/counts/functions").asInt());
        assertEquals(1, r1.at("/counts/taskDefinitions").asInt());

        InvokeIT.Run same = InvokeIT.invoke(env, "config-backup", "{}");
        assertEquals(0, same.exit(), same.all());
        assertTrue(same.json().get("duplicate").asBoolean(), same.stdout());

        live.put(live.path + "/db/password", "changed-" + live.securePassword, ParameterType.SECURE_STRING);
        InvokeIT.Run drifted = InvokeIT.invoke(env, "config-backup", "{}");
        assertEquals(0, drifted.exit(), drifted.all());
        assertEquals("parameter " + live.path + "/db/password", drifted.json().at("/drift/changed/0").asText(), drifted.stdout());
        List<JsonNode> alerts = topic.receive(1);
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("config-backup", alerts.get(0).get("handler").asText());

        InvokeIT.Run export = InvokeIT.invoke(env, "config-export", "{}");
        assertEquals(0, export.exit(), export.all());
        assertTrue(export.stdout().contains(live.path + "/api/base-url"), export.stdout());

        InvokeIT.Run dryRun = InvokeIT.invoke(env, "config-restore", "{\"snapshotId\": \"" + r1.get("snapshotId").asText() + "\"}");
        assertEquals(0, dryRun.exit(), dryRun.all());
        assertTrue(dryRun.json().get("dryRun").asBoolean(), dryRun.stdout());
        assertTrue(dryRun.json().get("rewrite").toString().contains(live.path + "/db/password"), dryRun.stdout());

        String everything = first.all() + same.all() + drifted.all() + export.all() + dryRun.all() + alerts;
        for (String secret : List.of(live.securePassword, live.envPassword, live.taskToken, live.secretValue)) {
            assertFalse(everything.contains(secret), "a secret value in an output");
        }
    }
}
