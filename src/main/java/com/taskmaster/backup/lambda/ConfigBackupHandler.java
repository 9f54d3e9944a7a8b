package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.taskmaster.backup.alert.Alert;
import com.taskmaster.backup.appconfig.ConfigBackupResult;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.time.Instant;
import java.util.Map;

/**
 * {@code config-backup}: {@code {}}, a schedule, or an EventBridge change event (Parameter Store, Secrets Manager):
 * snapshots the configuration unless nothing changed; drift (names only) is a warning alert and the ConfigDrift metric.
 */
@Named("config-backup")
public class ConfigBackupHandler implements RequestHandler<Object, ConfigBackupResult> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    @Override
    public ConfigBackupResult handleRequest(Object event, Context context) {
        return invocations.run("config-backup", context, scope -> {
            Events.none(event, "config-backup");
            Map<String, Object> e = Events.object(event);
            String cause = e.containsKey("detail-type") ? "change-event" : e.containsKey("schedule") ? "schedule" : "manual";
            String dimension = services.config().databaseName().orElse("config");
            try {
                ConfigBackupResult result = services.configBackupService().run(cause, scope.requestId());
                services.metrics().emit(dimension, result.metrics());
                if (result.drifted()) {
                    services.alerter().send(Alert.warning("config-backup", dimension, result.driftMessage(), scope.requestId(),
                            Instant.now(), null));
                }
                return result;
            } catch (RuntimeException failure) {
                services.metrics().emit(dimension, ConfigBackupResult.failureMetrics());
                throw failure;
            }
        });
    }
}
