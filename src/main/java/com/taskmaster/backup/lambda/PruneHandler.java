package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.taskmaster.backup.prune.PruneReport;
import com.taskmaster.backup.prune.PruneRequest;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * {@code prune}: retention. Manual runs are dry runs unless {@code {"dryRun": false}} (optionally with
 * {@code "acceptListing": N}, see {@link PruneRequest}); scheduled events run for real. An interlock or a failed
 * deletion fails the invocation (and alerts); the report says what was kept and why.
 */
@Named("prune")
public class PruneHandler implements RequestHandler<Object, PruneReport> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    @Override
    public PruneReport handleRequest(Object event, Context context) {
        return invocations.run("prune", context, scope -> {
            PruneRequest request = PruneRequest.fromEvent(Events.object(event));
            return services.prune().run(request, scope.requestId(), scope.deadline());
        });
    }
}
