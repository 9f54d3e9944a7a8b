package com.taskmaster.backup.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.support.Json;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Per-test AWS resources in moto: buckets, KMS keys, an alert topic whose messages are read back through SQS. */
public final class AwsFixtures {
    private AwsFixtures() {
    }

    public static String bucket(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
        MotoServer.get().s3().createBucket(b -> b.bucket(name));
        return name;
    }

    /** A fresh symmetric KMS key; returns its ARN. */
    public static String kmsKey() {
        return createKey(false, "taskmaster-backup test");
    }

    /** A fresh symmetric multi-Region KMS key (key id {@code mrk-...}) in {@link MotoServer#REGION}; returns its ARN. */
    public static String multiRegionKey() {
        return createKey(true, "taskmaster-backup multi-Region key");
    }

    private static String createKey(boolean multiRegion, String description) {
        return MotoServer.get().kms().createKey(b -> b.keySpec(KeySpec.SYMMETRIC_DEFAULT).keyUsage(KeyUsageType.ENCRYPT_DECRYPT)
                .multiRegion(multiRegion).description(description)).keyMetadata().arn();
    }

    /**
     * Replicates a multi-Region key into {@code region}, as infra/secondary.yaml does; returns the replica's ARN. Called
     * with the key id: moto 5.2.1 answers ReplicateKey with a key ARN with an HTTP 500.
     */
    public static String replicate(String multiRegionKeyArn, Region region) {
        String keyId = multiRegionKeyArn.substring(multiRegionKeyArn.indexOf(":key/") + ":key/".length());
        return MotoServer.get().kms().replicateKey(b -> b.keyId(keyId).replicaRegion(region.id())).replicaKeyMetadata().arn();
    }

    /** An SNS topic with an SQS queue subscribed, so that tests can read the alerts that were published. */
    public record AlertTopic(String topicArn, String queueUrl) {
        /** Alert bodies received so far (waits up to a few seconds for at least {@code atLeast}). */
        public List<JsonNode> receive(int atLeast) {
            List<JsonNode> out = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 10_000;
            do {
                for (Message m : MotoServer.get().sqs().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                        .waitTimeSeconds(1)).messages()) {
                    try {
                        JsonNode envelope = Json.MAPPER.readTree(m.body());
                        out.add(Json.MAPPER.readTree(envelope.get("Message").asText()));
                    } catch (IOException e) {
                        throw new IllegalStateException("unexpected SQS message: " + m.body(), e);
                    }
                    MotoServer.get().sqs().deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
                }
            } while (out.size() < atLeast && System.currentTimeMillis() < deadline);
            return out;
        }

        /** All raw alert bodies, as text, for secret scanning. */
        public String receiveAllText(int atLeast) {
            StringBuilder sb = new StringBuilder();
            receive(atLeast).forEach(n -> sb.append(n).append('\n'));
            return sb.toString();
        }
    }

    public static AlertTopic alertTopic() {
        String name = "alerts-" + UUID.randomUUID().toString().substring(0, 8);
        var sns = MotoServer.get().sns();
        var sqs = MotoServer.get().sqs();
        String topic = sns.createTopic(b -> b.name(name)).topicArn();
        String queueUrl = sqs.createQueue(b -> b.queueName(name)).queueUrl();
        String queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(b -> b.topicArn(topic).protocol("sqs").endpoint(queueArn));
        return new AlertTopic(topic, queueUrl);
    }
}
