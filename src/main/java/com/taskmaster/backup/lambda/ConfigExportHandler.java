package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.taskmaster.backup.appconfig.ConfigExport;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * {@code config-export}: {@code {}} (the newest snapshot) or {@code {"snapshotId": ...}}: the non-secret configuration
 * as a sorted, deterministic JSON document ({@code document}) to commit to version control.
 */
@Named("config-export")
public class ConfigExportHandler implements RequestHandler<Object, ConfigExport.Result> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    @Override
    public ConfigExport.Result handleRequest(Object event, Context context) {
        return invocations.run("config-export", context, scope -> {
            ConfigExport export = services.configExport();
            return export.run(ConfigExport.fromEvent(Events.object(event)));
        });
    }
}
