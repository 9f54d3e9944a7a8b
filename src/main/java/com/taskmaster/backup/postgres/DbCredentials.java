package com.taskmaster.backup.postgres;

import com.taskmaster.backup.support.Redactor;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where and as whom to connect: a {@link ConnectionSpec} and where each connection's password comes from (the spec's
 * own, or a fresh RDS IAM token: {@link RdsIamAuth}). Passwords are registered with the {@link Redactor} and never
 * appear in {@link #toString()}, in a command line, or in any message: JDBC gets them as a property, pg_dump through
 * {@code PGPASSWORD} in its environment.
 */
public record DbCredentials(ConnectionSpec spec, Password passwords) {

    /** The password of one new connection. */
    @FunctionalInterface
    public interface Password {
        /** The spec's own password (null: none, e.g. trust or a .pgpass-less peer). */
        Password STATIC = ConnectionSpec::password;

        String forConnection(ConnectionSpec spec);
    }

    public DbCredentials {
        java.util.Objects.requireNonNull(spec, "spec");
        java.util.Objects.requireNonNull(passwords, "passwords");
    }

    public DbCredentials(ConnectionSpec spec) {
        this(spec, Password.STATIC);
    }

    /** A connection with a static password and only {@code sslmode} (null: libpq's default) among the parameters. */
    public DbCredentials(String host, int port, String database, String user, String password, String sslmode) {
        this(new ConnectionSpec(host, port, database, user, password, sslmode == null ? Map.of()
                : Map.of(ConnectionParameter.SSLMODE, sslmode)));
    }

    /** Parses a {@code postgresql://} URL ({@link ConnectionSpec#fromUrl}). */
    public static DbCredentials fromUrl(String url) {
        return new DbCredentials(ConnectionSpec.fromUrl(url));
    }

    /** Parses a Secrets Manager secret string ({@link ConnectionSpec#fromSecret}), standing alone. */
    public static DbCredentials fromSecret(String secret, String secretName) {
        return new DbCredentials(ConnectionSpec.fromSecret(secret, secretName, Optional.empty()));
    }

    public String host() {
        return spec.host();
    }

    public int port() {
        return spec.port();
    }

    public String database() {
        return spec.database();
    }

    public String user() {
        return spec.user();
    }

    /** The spec's static password (an IAM-authenticated connection has none: its tokens are made per connection). */
    public String password() {
        return spec.password();
    }

    public String sslmode() {
        return spec.sslmode();
    }

    public String jdbcUrl() {
        return spec.jdbcUrl();
    }

    /** pgJDBC's properties for one new connection (with a fresh password where it is made per connection). */
    public Properties jdbcProperties() {
        return spec.jdbcProperties(password(spec));
    }

    /** libpq environment for one run of pg_dump/pg_restore/psql: no secret on any command line. */
    public Map<String, String> libpqEnvironment() {
        return spec.libpqEnvironment(password(spec));
    }

    private String password(ConnectionSpec s) {
        String p = passwords.forConnection(s);
        Redactor.register(p);
        return p;
    }

    /** host:port/database, for messages. */
    public String describe() {
        return spec.describe();
    }

    public DbCredentials withDatabase(String otherDatabase) {
        return new DbCredentials(spec.withDatabase(otherDatabase), passwords);
    }

    @Override
    public String toString() {
        return "DbCredentials[" + spec + (passwords == Password.STATIC ? "" : ", password per connection") + "]";
    }
}
