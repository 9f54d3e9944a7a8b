package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.Backups;
import com.taskmaster.backup.testing.MotoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged prune function through bin/invoke, configured only by environment variables. */
class PruneInvokeIT {
    @TempDir
    Path tmp;

    private static void history(Repository repo, int days, Instant from) {
        for (int d = 1; d <= days; d++) {
            Backups.put(repo, from.minus(Duration.ofDays(d)), "daily", null, 100);
        }
    }

    @Test
    void dryRunByDefaultThenARealRunWithRetentionSettingsFromTheEnvironment() throws Exception {
        Repository repo = new FileRepository(tmp.resolve("repo"));
        history(repo, 45, Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(2)));
        Map<String, String> env = Map.of("BACKUP_REPOSITORY", "file://" + tmp.resolve("repo"), "BACKUP_ALERT_TOPIC", "stderr",
                "BACKUP_RETENTION_KEEP_LAST", "5", "BACKUP_RETENTION_DAILY_DAYS", "20",
                "BACKUP_RETENTION_MAX_DELETE_PERCENT", "80");

        InvokeIT.Run dry = InvokeIT.invoke(env, "prune", "{}");
        assertEquals(0, dry.exit(), dry.all());
        assertTrue(dry.json().get("dryRun").asBoolean());
        assertEquals(45, repo.list(Layout.MANIFESTS).size());

        InvokeIT.Run real = InvokeIT.invoke(env, "prune", "{\"dryRun\": false}");
        assertEquals(0, real.exit(), real.all());
        JsonNode r = real.json();
        assertFalse(r.get("dryRun").asBoolean());
        assertEquals(dry.json().get("deletedCount").asInt(), r.get("deletedCount").asInt());
        assertEquals(r.get("keptCount").asInt(), repo.list(Layout.MANIFESTS).size());
        assertTrue(r.get("kept").get(0).get("reasons").toString().contains("newest-5"), r.toString());
        assertTrue(r.get("policy").asText().contains("each UTC day for 20 days"), r.toString());
        assertTrue(real.stderr().contains("\"event\":\"prune-delete\""), "one structured log line per deletion");
    }

    @Test
    void anInterlockOnS3FailsTheInvocationAlertsThroughSnsAndDeletesNothing() throws Exception {
        String bucket = AwsFixtures.bucket("prune-invoke");
        Repository repo = new S3Repository(MotoServer.get().s3(), bucket, "backups", 0);
        history(repo, 10, Instant.now().minus(Duration.ofDays(500)));
        AwsFixtures.AlertTopic topic = AwsFixtures.alertTopic();
        Map<String, String> env = new HashMap<>(MotoServer.get().childEnvironment());
        env.put("BACKUP_REPOSITORY", "s3://" + bucket + "/backups");
        env.put("BACKUP_ALERT_TOPIC", topic.topicArn());

        InvokeIT.Run run = InvokeIT.invoke(env, "prune", "{\"schedule\": \"daily\", \"scheduledTime\": \"2026-11-28T03:00:00Z\"}");
        assertEquals(1, run.exit(), run.all());
        assertEquals(10, repo.list(Layout.MANIFESTS).size());
        List<JsonNode> alerts = topic.receive(1);
        assertEquals(1, alerts.size());
        assertEquals("prune", alerts.get(0).get("handler").asText());
        assertTrue(alerts.get(0).get("error").asText().contains("nothing deleted"), alerts.toString());
        assertEquals(1, repo.list("audit/prune/").size(), "the aborted run is audited");
    }
}
