package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.taskmaster.backup.support.InvalidRequestException;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** {@code list}: the catalog of complete backups, newest first. Takes {@code {}}. */
@Named("list")
public class ListHandler implements RequestHandler<Object, ListResult> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    @Override
    public ListResult handleRequest(Object event, Context context) {
        return invocations.run("list", context, scope -> {
            if (!Events.object(event).isEmpty()) {
                throw new InvalidRequestException("list takes no parameters: invoke it with {}");
            }
            return ListResult.of(services.catalog().list(), services.configSnapshots());
        });
    }
}
