package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.taskmaster.backup.backup.BackupFailedException;
import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupResult;
import com.taskmaster.backup.postgres.DbCredentials;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** {@code backup}: manual ({@code {"label": ..., "reason": ...}}) or scheduled; returns the new backup's summary. */
@Named("backup")
public class BackupHandler implements RequestHandler<Object, BackupResult> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    @Override
    public BackupResult handleRequest(Object event, Context context) {
        return invocations.run("backup", context, scope -> {
            BackupRequest request = BackupRequest.fromEvent(Events.object(event));
            DbCredentials db = services.sourceDatabase();
            scope.database(db.database());
            try {
                BackupResult result = services.backupService().run(request, db, scope.requestId(), scope.deadline());
                services.metrics().emit(db.database(), result.metrics());
                return result;
            } catch (RuntimeException e) {
                if (e instanceof BackupFailedException failed) {
                    scope.backupId(failed.backupId().value());
                }
                services.metrics().emit(db.database(), BackupResult.failureMetrics());
                throw e;
            }
        });
    }
}
