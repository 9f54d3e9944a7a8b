package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.taskmaster.backup.alert.Alert;
import com.taskmaster.backup.report.ReportResult;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.time.Instant;

/**
 * {@code report}: {@code {}} (scheduled, by hand) or an EventBridge event (after a restore-test): writes the readiness
 * report and returns where it is and its verdict; emits its metrics, and a capacity warning also alerts (with a link).
 */
@Named("report")
public class ReportHandler implements RequestHandler<Object, ReportResult> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    @Override
    public ReportResult handleRequest(Object event, Context context) {
        return invocations.run("report", context, scope -> {
            Events.none(event, "report");
            ReportResult result = services.reportService().run();
            String database = services.config().databaseName().orElse(result.database());
            scope.database(database);
            services.metrics().emit(database, result.metrics());
            if (result.capacityWarning()) {
                services.alerter().send(Alert.warning("report", database, result.warning(), scope.requestId(), Instant.now(),
                        services.reportLink(result.report())));
            }
            return result;
        });
    }
}
