package com.taskmaster.backup.alert;

import software.amazon.awssdk.services.sns.SnsClient;

import java.util.function.Supplier;

/** Sends alerts. Sending must never hide the failure being reported: implementations log and swallow their own errors. */
public interface Alerter {

    void send(Alert alert);

    /** {@code stderr}, or an SNS topic ARN. */
    static Alerter open(String spec, Supplier<SnsClient> sns) {
        if (spec == null || spec.isBlank() || spec.equals("stderr")) {
            return new StderrAlerter();
        }
        if (!spec.startsWith("arn:")) {
            throw new IllegalArgumentException("BACKUP_ALERT_TOPIC must be an SNS topic ARN or 'stderr', not '" + spec + "'");
        }
        return new SnsAlerter(sns.get(), spec);
    }
}
