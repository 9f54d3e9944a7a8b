package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.taskmaster.backup.restoretest.RestoreTestFailedException;
import com.taskmaster.backup.restoretest.RestoreTestReport;
import com.taskmaster.backup.restoretest.RestoreTestRequest;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * {@code restore-test}: {@code {}} (monthly) or {@code {"backupId": ...}}; returns the report also stored under reports/.
 * Its alert links to the readiness report ({@code reports/readiness/latest.html}, which the report function renews after it).
 */
@Named("restore-test")
public class RestoreTestHandler implements RequestHandler<Object, RestoreTestReport> {
    @Inject
    Services services;
    @Inject
    Invocations invocations;

    @Override
    public RestoreTestReport handleRequest(Object event, Context context) {
        return invocations.run("restore-test", context, scope -> {
            RestoreTestRequest request = RestoreTestRequest.fromEvent(Events.object(event));
            request.backupId().ifPresent(id -> scope.backupId(id.value()));
            scope.report(services.latestReportLink());
            try {
                RestoreTestReport report = services.restoreTestService().run(request, scope.deadline());
                emit(report);
                return report;
            } catch (RestoreTestFailedException e) {
                e.report().ifPresent(this::emit);
                throw e;
            }
        });
    }

    /** The report's metrics, for the alarms and the dashboard. */
    private void emit(RestoreTestReport report) {
        services.metrics().emit(report.database(), report.metrics());
    }
}
