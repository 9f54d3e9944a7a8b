package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.restore.RestoreRequest;
import com.taskmaster.backup.restore.RestoreResult;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * {@code restore} (manual only): {@code {"backupId" | "at", "target", "confirm"?}}. Returns the tables restored,
 * whether their fingerprints equal the manifest's, what was done about roles, and the duration.
 */
@Named("restore")
public class RestoreHandler implements RequestHandler<Object, RestoreResult> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    @Override
    public RestoreResult handleRequest(Object event, Context context) {
        return invocations.run("restore", context, scope -> {
            RestoreRequest request = RestoreRequest.fromEvent(Events.object(event));
            request.backupId().ifPresent(id -> scope.backupId(id.value()));
            DbCredentials target = services.database(request.target());
            scope.database(target.database());
            return services.restoreService().run(request, target, scope.deadline());
        });
    }
}
