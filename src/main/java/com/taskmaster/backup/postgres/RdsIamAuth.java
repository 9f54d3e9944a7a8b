package com.taskmaster.backup.postgres;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

/**
 * RDS IAM database authentication: each new connection (pgJDBC's, and each pg_dump / pg_restore / psql run) gets a fresh
 * token from the AWS SDK's {@link RdsUtilities#generateAuthenticationToken} (signed locally with the function's
 * credentials, valid 15 minutes) as its password. The token is registered with the Redactor by {@link DbCredentials}
 * and never logged. The database user needs {@code GRANT rds_iam}; the role needs {@code rds-db:connect} on it.
 */
public final class RdsIamAuth implements DbCredentials.Password {
    private final RdsUtilities utilities;

    public RdsIamAuth(RdsUtilities utilities) {
        this.utilities = utilities;
    }

    /** Tokens signed for {@code region} with the default credentials chain (the Lambda role's). */
    public static RdsIamAuth forRegion(String region) {
        return new RdsIamAuth(RdsUtilities.builder().region(Region.of(region))
                .credentialsProvider(DefaultCredentialsProvider.builder().build()).build());
    }

    @Override
    public String forConnection(ConnectionSpec spec) {
        try {
            return utilities.generateAuthenticationToken(b -> b.hostname(spec.host()).port(spec.port()).username(spec.user()));
        } catch (SdkException e) {
            throw new DatabaseException("cannot make an RDS IAM authentication token for " + spec.user() + "@" + spec.describe()
                    + ": " + e.getMessage(), e);
        }
    }
}
