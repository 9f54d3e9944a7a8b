package com.taskmaster.backup.postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code sslrootcert=system}: verify the server against the platform's trust store, as for publicly trusted providers
 * (Neon). pgJDBC gets the JDK's trust store ({@code sslfactory=DefaultJavaSSLFactory}: {@code cacerts}). libpq 15, the
 * client tools' library, does not know {@code system} (libpq 16 does), so pg_dump / pg_restore / psql get
 * {@code PGSSLROOTCERT} set to the platform's CA bundle file: the first of {@link #BUNDLES} that exists (Debian/Ubuntu,
 * Amazon Linux/RHEL, a copy the Lambda layer may ship, Alpine/macOS).
 */
public final class SystemTrust {
    /** pgJDBC's factory that uses the JDK's default trust store. */
    public static final String JDBC_SSL_FACTORY = "org.postgresql.ssl.DefaultJavaSSLFactory";

    /** Where platforms keep their bundle of publicly trusted CA certificates, in the order tried. */
    public static final List<Path> BUNDLES = List.of(
            Path.of("/etc/ssl/certs/ca-certificates.crt"),
            Path.of("/etc/pki/tls/certs/ca-bundle.crt"),
            Path.of("/opt/etc/ssl/certs/ca-certificates.crt"),
            Path.of("/etc/ssl/cert.pem"));

    private SystemTrust() {
    }

    /** The platform's CA bundle file for libpq. */
    public static Path libpqBundle() {
        return find(BUNDLES).orElseThrow(() -> new IllegalStateException("sslrootcert=system: none of the platform's CA bundle "
                + "files " + BUNDLES + " exists, so pg_dump (libpq 15 lacks 'system') cannot verify the server; "
                + "install ca-certificates or give sslrootcert=<file>"));
    }

    static Optional<Path> find(List<Path> candidates) {
        return candidates.stream().filter(Files::isReadable).findFirst();
    }
}
