package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.taskmaster.backup.drdrill.DrDrillFailedException;
import com.taskmaster.backup.drdrill.DrDrillReport;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * {@code dr-drill}: {@code {}} (quarterly, or by hand), in the secondary region; returns the report also stored under
 * the replica repository's reports/dr-drill/, emits its metrics, and fails (alert) on any failure or missed objective.
 */
@Named("dr-drill")
public class DrDrillHandler implements RequestHandler<Object, DrDrillReport> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    @Override
    public DrDrillReport handleRequest(Object event, Context context) {
        return invocations.run("dr-drill", context, scope -> {
            Events.none(event, "dr-drill");
            services.config().databaseName().ifPresent(scope::database);
            try {
                DrDrillReport report = services.drDrillService().run(scope.deadline());
                services.metrics().emit(services.config().databaseName().orElse(report.database()), report.metrics());
                return report;
            } catch (DrDrillFailedException e) {
                scope.backupId(e.report().backupId());
                services.metrics().emit(services.config().databaseName().orElse(e.report().database()), e.report().metrics());
                throw e;
            }
        });
    }
}
