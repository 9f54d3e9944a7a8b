package com.taskmaster.backup.postgres;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The libpq connection parameters a database URL or secret may carry, each honoured the same way by the backup's own
 * JDBC connection (its pgJDBC property) and by pg_dump / pg_restore / psql (its libpq environment variable). Names and
 * values are libpq's (<a href="https://www.postgresql.org/docs/current/libpq-connect.html">libpq-connect</a>).
 */
public enum ConnectionParameter {
    SSLMODE("sslmode", "sslmode", "PGSSLMODE",
            Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full")),
    /** A file of PEM CA certificates, or {@code system} (the platform's trust store; see {@link SystemTrust}). */
    SSLROOTCERT("sslrootcert", "sslrootcert", "PGSSLROOTCERT", null),
    CHANNEL_BINDING("channel_binding", "channelBinding", "PGCHANNELBINDING", Set.of("disable", "prefer", "require")),
    /** Server options at connection start: {@code -c statement_timeout=0}, Neon's {@code endpoint=ep-...}. */
    OPTIONS("options", "options", "PGOPTIONS", null),
    /** Seconds; 0 waits for ever. */
    CONNECT_TIMEOUT("connect_timeout", "connectTimeout", "PGCONNECT_TIMEOUT", null),
    APPLICATION_NAME("application_name", "ApplicationName", "PGAPPNAME", null);

    /**
     * libpq parameters that pgJDBC, the driver of the backup's own connection, has no equivalent for: the two clients
     * could not be made to behave alike, so they are refused rather than honoured by one of them only.
     */
    private static final Set<String> NOT_IN_PGJDBC = Set.of("hostaddr", "passfile", "service", "sslsni", "sslcrl", "sslcrldir",
            "requirepeer", "gsslib", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
            "fallback_application_name", "require_auth", "sslcertmode", "ssl_min_protocol_version",
            "ssl_max_protocol_version", "sslcompression", "requiressl", "client_encoding", "sslnegotiation");

    /** libpq parameters pgJDBC has in another shape (names, values or key formats differ): not supported (yet). */
    private static final Set<String> NOT_SUPPORTED = Set.of("host", "port", "dbname", "user", "password", "sslcert", "sslkey",
            "sslpassword", "target_session_attrs", "gssencmode", "krbsrvname", "keepalives", "load_balance_hosts", "replication");

    private final String libpqName;
    private final String jdbcProperty;
    private final String environmentVariable;
    private final Set<String> values;

    ConnectionParameter(String libpqName, String jdbcProperty, String environmentVariable, Set<String> values) {
        this.libpqName = libpqName;
        this.jdbcProperty = jdbcProperty;
        this.environmentVariable = environmentVariable;
        this.values = values;
    }

    public String libpqName() {
        return libpqName;
    }

    public String jdbcProperty() {
        return jdbcProperty;
    }

    public String environmentVariable() {
        return environmentVariable;
    }

    /** The parameter of this libpq name, if it is one of the supported. */
    public static Optional<ConnectionParameter> ofName(String name) {
        return Arrays.stream(values()).filter(p -> p.libpqName.equals(name)).findFirst();
    }

    /** The parameter named {@code name}; an unknown or unsupported one is a clear error naming it. */
    public static ConnectionParameter named(String name) {
        return ofName(name).orElseThrow(() -> new IllegalArgumentException(unsupported(name)));
    }

    private static String unsupported(String name) {
        String supported = " (supported: " + supportedNames() + ")";
        if (NOT_IN_PGJDBC.contains(name)) {
            return "database connection parameter '" + name + "' is a libpq parameter that pgJDBC, the driver of the backup's "
                    + "own connection, lacks: it cannot be honoured by both clients" + supported;
        }
        if (NOT_SUPPORTED.contains(name)) {
            return "database connection parameter '" + name + "' is not supported" + supported;
        }
        return "unknown database connection parameter '" + name + "'" + supported;
    }

    public static String supportedNames() {
        return Arrays.stream(values()).map(ConnectionParameter::libpqName).collect(Collectors.joining(", "));
    }

    /** Checks {@code value} (already percent-decoded); returns it. */
    public String check(String value) {
        if (value == null) {
            throw new IllegalArgumentException("database connection parameter " + libpqName + " has no value");
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("database connection parameter " + libpqName + " contains control characters");
        }
        if (values != null && !values.contains(value)) {
            throw new IllegalArgumentException("database connection parameter " + libpqName + "='" + value + "' is not one of "
                    + List.copyOf(new java.util.TreeSet<>(values)));
        }
        if (this == CONNECT_TIMEOUT && !value.matches("\\d{1,6}")) {
            throw new IllegalArgumentException("database connection parameter connect_timeout='" + value
                    + "' is not a number of seconds");
        }
        if (this == SSLROOTCERT && value.isBlank()) {
            throw new IllegalArgumentException("database connection parameter sslrootcert is empty");
        }
        return value;
    }

    /** Parses {@code name=value} pairs into supported parameters (each checked), in the given order. */
    public static Map<ConnectionParameter, String> parse(Map<String, String> raw) {
        Map<ConnectionParameter, String> out = new java.util.EnumMap<>(ConnectionParameter.class);
        raw.forEach((k, v) -> {
            ConnectionParameter p = named(k);
            out.put(p, p.check(v));
        });
        return out;
    }
}
