package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.taskmaster.backup.alert.Alert;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Redactor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.function.Function;

/**
 * Runs a handler's body; on any failure, alerts (handler, database, backup, error, request id), logs, and
 * rethrows a {@link HandlerFailure} whose message and causes are redacted, so that Lambda's retries,
 * destinations and Errors metric see the failure and no secret leaves in the error response.
 */
@ApplicationScoped
public class Invocations {
    private static final Logger LOG = Logger.getLogger(Invocations.class);

    @Inject
    Services services;

    /** What the body learns as it goes, for the alert. */
    public static final class Scope {
        private final Context context;
        private String database;
        private String backupId;
        private String report;

        Scope(Context context) {
            this.context = context;
        }

        public void database(String name) {
            this.database = name;
        }

        public void backupId(String id) {
            this.backupId = id;
        }

        /** A link to the readiness report, for the alert. */
        public void report(String link) {
            this.report = link;
        }

        public String requestId() {
            return context == null || context.getAwsRequestId() == null ? "local" : context.getAwsRequestId();
        }

        /** Lambda's deadline for this invocation, or {@link Deadline#NONE} when unknown. */
        public Deadline deadline() {
            if (context == null || context.getRemainingTimeInMillis() <= 0) {
                return Deadline.NONE;
            }
            return Deadline.at(Instant.now().plusMillis(context.getRemainingTimeInMillis()));
        }
    }

    public <T> T run(String handler, Context context, Function<Scope, T> body) {
        Scope scope = new Scope(context);
        try {
            return body.apply(scope);
        } catch (RuntimeException | Error e) {
            String message = Redactor.redact(e.getMessage() != null ? e.getMessage() : e.getClass().getName());
            LOG.errorf(Redactor.scrub(e), "%s failed: %s", handler, message);
            try {
                services.alerter().send(new Alert(handler, scope.database, scope.backupId, message, scope.requestId(), Instant.now())
                        .withReport(scope.report));
            } catch (RuntimeException alertFailure) {
                LOG.errorf("could not send the alert: %s", Redactor.redact(alertFailure.getMessage()));
            }
            throw new HandlerFailure(handler + " failed: " + message, Redactor.scrub(e));
        }
    }

    /** The invocation failed; the message is safe to show. */
    public static final class HandlerFailure extends RuntimeException {
        HandlerFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
