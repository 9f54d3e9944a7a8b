package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.taskmaster.backup.appconfig.ConfigRestoreRequest;
import com.taskmaster.backup.appconfig.ConfigRestoreResult;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * {@code config-restore} (manual only): {@code {"snapshotId" | "at", "confirm"?, "deleteMissing"?}}. A dry run (names
 * only) unless {@code confirm} is the chosen snapshot's id; then writes the snapshot's values back.
 */
@Named("config-restore")
public class ConfigRestoreHandler implements RequestHandler<Object, ConfigRestoreResult> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    @Override
    public ConfigRestoreResult handleRequest(Object event, Context context) {
        return invocations.run("config-restore", context, scope -> {
            ConfigRestoreRequest request = ConfigRestoreRequest.fromEvent(Events.object(event));
            request.snapshotId().ifPresent(id -> scope.backupId(id.value()));
            return services.configRestoreService().run(request);
        });
    }
}
