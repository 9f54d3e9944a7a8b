package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.taskmaster.backup.verify.VerificationFailedException;
import com.taskmaster.backup.verify.VerifyRequest;
import com.taskmaster.backup.verify.VerifyResult;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.time.Instant;

/**
 * {@code verify}: {@code {}} (scheduled weekly) or {@code {"backupId": ...}}. Returns each backup checked and
 * emits the run's EMF metrics ({@link VerifyResult#metrics}); any failure is recorded (and logged with the whole
 * result) first, then fails the invocation (alert naming the backups and reasons).
 */
@Named("verify")
public class VerifyHandler implements RequestHandler<Object, VerifyResult> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    @Override
    public VerifyResult handleRequest(Object event, Context context) {
        return invocations.run("verify", context, scope -> {
            VerifyRequest request = VerifyRequest.fromEvent(Events.object(event));
            VerifyResult result = services.verifyService().run(request, scope.requestId(), scope.deadline());
            services.metrics().emit(services.config().databaseName().orElse(result.database()), result.metrics(Instant.now()));
            if (!result.ok()) {
                scope.backupId(result.failedBackupIds());
                throw new VerificationFailedException(result.failures());
            }
            return result;
        });
    }
}
