package com.taskmaster.backup.postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a parsed {@link ConnectionSpec} into what the backup connects with, the same for the source database, restore
 * targets and the restore-test server:
 * <ul>
 *   <li>a known transaction-pooling host is refused ({@link Poolers#refuseByName});</li>
 *   <li>with TLS defaults {@code verify} (the default), an RDS/Aurora host is verified ({@code sslmode=verify-full})
 *       against the Amazon RDS CA bundle, a publicly trusted one (Neon) against the system trust store, unless the URL
 *       names its own {@code sslrootcert}; {@code as-given} takes the URL as it is (libpq's default: {@code prefer},
 *       encrypted if the server offers it, never verified);</li>
 *   <li>with IAM authentication on, a connection without a password gets a fresh RDS IAM token per connection, and
 *       must verify the server (a token is a password for 15 minutes).</li>
 * </ul>
 */
public record ConnectionPolicy(boolean verifyByDefault, Path rdsCaBundle, Optional<Function<String, DbCredentials.Password>> iam,
                               Optional<String> region) {
    public static final String VERIFY = "verify";
    public static final String AS_GIVEN = "as-given";
    /** Where the Lambda layer (infra/layer) puts Amazon RDS's global CA bundle. */
    public static final String LAYER_RDS_CA_BUNDLE = "/opt/etc/rds-global-bundle.pem";
    private static final Set<String> VERIFYING = Set.of("verify-ca", "verify-full");

    /**
     * From the settings: {@code tlsDefaults} ({@value #VERIFY} or {@value #AS_GIVEN}), the RDS CA bundle's path, whether
     * IAM authentication is on, and the function's region (AWS_REGION; an RDS host name's own region comes first).
     */
    public static ConnectionPolicy of(String tlsDefaults, String rdsCaBundle, boolean iamAuth, Optional<String> region) {
        if (!VERIFY.equals(tlsDefaults) && !AS_GIVEN.equals(tlsDefaults)) {
            throw new IllegalArgumentException("BACKUP_DB_TLS_DEFAULTS='" + tlsDefaults + "': expected " + VERIFY + " or " + AS_GIVEN);
        }
        return new ConnectionPolicy(VERIFY.equals(tlsDefaults), Path.of(rdsCaBundle),
                iamAuth ? Optional.of(RdsIamAuth::forRegion) : Optional.empty(), region.filter(r -> !r.isBlank()));
    }

    public DbCredentials apply(ConnectionSpec given) {
        Poolers.refuseByName(given);
        ConnectionSpec spec = verifyByDefault ? tlsDefaults(given) : given;
        if (iam.isEmpty() || spec.password() != null) {
            return new DbCredentials(spec);
        }
        if (!VERIFYING.contains(spec.sslmode())) {
            throw new IllegalArgumentException("BACKUP_DB_IAM_AUTH: " + spec.describe() + " has sslmode=" + spec.sslmode()
                    + ", but an IAM token must only go to a verified server: use sslmode=verify-full (the default for RDS "
                    + "hosts with BACKUP_DB_TLS_DEFAULTS=verify)");
        }
        String r = KnownEndpoints.rdsRegion(spec.host()).or(() -> region).orElseThrow(() -> new IllegalArgumentException(
                "BACKUP_DB_IAM_AUTH: no AWS region in host name " + spec.host() + " and AWS_REGION is not set"));
        return new DbCredentials(spec, iam.get().apply(r));
    }

    private ConnectionSpec tlsDefaults(ConnectionSpec spec) {
        boolean rds = KnownEndpoints.isAmazonRds(spec.host());
        if (!rds && !KnownEndpoints.isPubliclyTrusted(spec.host())) {
            return spec;
        }
        ConnectionSpec s = spec;
        if (s.get(ConnectionParameter.SSLROOTCERT).isPresent()) {
            return VERIFYING.contains(s.sslmode()) ? s : s.with(ConnectionParameter.SSLMODE, "verify-full");
        }
        if (rds && !Files.isReadable(rdsCaBundle)) {
            throw new IllegalArgumentException(spec.host() + " is an Amazon RDS host, verified by default against the RDS CA "
                    + "bundle, but " + rdsCaBundle + " does not exist: deploy the layer built by infra/layer (it ships the bundle), "
                    + "set BACKUP_DB_RDS_CA_BUNDLE, or BACKUP_DB_TLS_DEFAULTS=as-given to connect without verifying the server");
        }
        return new ConnectionSpec(s.host(), s.port(), s.database(), s.user(), s.password(), withTrust(s,
                rds ? rdsCaBundle.toString() : "system"));
    }

    private static java.util.Map<ConnectionParameter, String> withTrust(ConnectionSpec s, String rootcert) {
        java.util.Map<ConnectionParameter, String> m = new java.util.EnumMap<>(ConnectionParameter.class);
        m.putAll(s.parameters());
        m.put(ConnectionParameter.SSLMODE, "verify-full");
        m.put(ConnectionParameter.SSLROOTCERT, rootcert);
        return m;
    }
}
