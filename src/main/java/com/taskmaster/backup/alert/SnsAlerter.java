package com.taskmaster.backup.alert;

import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sns.SnsClient;

/** Publishes alerts to an SNS topic: subject for e-mail, the JSON alert as the message body. */
public final class SnsAlerter implements Alerter {
    private static final Logger LOG = Logger.getLogger(SnsAlerter.class);
    private final SnsClient sns;
    private final String topicArn;

    public SnsAlerter(SnsClient sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void send(Alert alert) {
        String json = alert.toJson();
        try {
            sns.publish(b -> b.topicArn(topicArn).subject(alert.subject()).message(json));
        } catch (SdkException e) {
            // The invocation fails anyway (Lambda's Errors metric and its alarm still see it); say so in the log.
            LOG.errorf("could not publish alert to %s (%s); the alert was: %s", topicArn, e.getMessage(), json);
        }
    }
}
