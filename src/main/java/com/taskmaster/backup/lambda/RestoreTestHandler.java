package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.taskmaster.backup.alert.Metrics;
import com.taskmaster.backup.restoretest.RestoreTestFailedException;
import com.taskmaster.backup.restoretest.RestoreTestReport;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.taskmaster.backup.restoretest.RestoreTestRequest;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** {@code restore-test}: {@code {}} (monthly) or {@code {"backupId": ...}}; returns the report also stored under reports/. */
@Named("restore-test")
public class RestoreTestHandler implements RequestHandler<Object, RestoreTestReport> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    /** EMF metrics for the alarms and dashboard: outcome, restore time, the RTO (the dashboard's line), and whether it would be met. */
    private void emitMetrics(RestoreTestReport r) {
        var metrics = new java.util.LinkedHashMap<String, Metrics.Value>();
        metrics.put(r.passed() ? "RestoreTestSuccess" : "RestoreTestFailure", new Metrics.Value(1, "Count"));
        if (r.restoreMs() != null) {
            metrics.put("RestoreTestRestoreSeconds", new Metrics.Value(r.restoreMs() / 1000.0, "Seconds"));
        }
        if (r.estimatedFullRestore() != null) {
            metrics.put("RestoreTestEstimatedSeconds",
                    new Metrics.Value(java.time.Duration.parse(r.estimatedFullRestore()).toMillis() / 1000.0, "Seconds"));
        }
        if (r.rto() != null) {
            metrics.put("RestoreTestRtoSeconds", new Metrics.Value(java.time.Duration.parse(r.rto()).toSeconds(), "Seconds"));
        }
        if (r.rtoMet() != null) {
            metrics.put("RestoreTestRtoMet", new Metrics.Value(r.rtoMet() ? 1 : 0, "None"));
        }
        services.metrics().emit(r.database(), metrics);
    }

    @Override
    public RestoreTestReport handleRequest(Object event, Context context) {
        return invocations.run("restore-test", context, scope -> {
            RestoreTestRequest request = RestoreTestRequest.fromEvent(Events.object(event));
            request.backupId().ifPresent(id -> scope.backupId(id.value()));
            try {
                RestoreTestReport report = services.restoreTestService().run(request.backupId(), scope.deadline());
                emitMetrics(report);
                return report;
            } catch (RestoreTestFailedException e) {
                e.report().ifPresent(this::emitMetrics);
                throw e;
            }
        });
    }
}
