package com.taskmaster.backup.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.support.Redactor;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * A database to connect to, as a {@code postgresql://} URL or a secret describes it: host, port, database, user, an
 * optional password and the libpq {@link ConnectionParameter}s, translated the same way for pgJDBC ({@link #jdbcUrl()},
 * {@link #jdbcProperties}) and for libpq's client tools ({@link #libpqEnvironment}). The password goes only into the
 * pgJDBC {@code password} property and {@code PGPASSWORD}: never into a URL, a command line, or a message.
 */
public record ConnectionSpec(String host, int port, String database, String user, String password,
                             Map<ConnectionParameter, String> parameters) {
    public static final String DEFAULT_APPLICATION_NAME = "taskmaster-backup";
    public static final String DEFAULT_CONNECT_TIMEOUT = "15";

    public ConnectionSpec {
        require(host, "host");
        require(database, "database name");
        require(user, "user name");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("database port out of range: " + port);
        }
        Map<ConnectionParameter, String> checked = new EnumMap<>(ConnectionParameter.class);
        (parameters == null ? Map.<ConnectionParameter, String>of() : parameters).forEach((p, v) -> checked.put(p, p.check(v)));
        parameters = Collections.unmodifiableMap(checked);
        String mode = checked.getOrDefault(ConnectionParameter.SSLMODE, "prefer");
        if ("system".equals(checked.get(ConnectionParameter.SSLROOTCERT)) && !"verify-full".equals(mode)) {
            // As libpq 16, which knows 'system': a weaker mode would not check that the certificate names this host.
            throw new IllegalArgumentException("sslrootcert=system needs sslmode=verify-full (not " + mode + ")");
        }
        Redactor.register(password);
    }

    private static void require(String v, String what) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("database " + what + " is missing");
        }
        if (v.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("database " + what + " contains control characters");
        }
    }

    /**
     * Parses {@code postgresql://user:password@host:port/database?sslmode=verify-full&channel_binding=require&...}
     * (also {@code postgres://}); every query parameter must be a supported {@link ConnectionParameter}.
     */
    public static ConnectionSpec fromUrl(String url) {
        Parts p = Parts.of(url);
        return new ConnectionSpec(p.host, p.port, p.database, p.user, p.password, p.parameters);
    }

    /** A parsed URL, some of whose pieces may be missing (a URL beside a secret). */
    private record Parts(String host, int port, String database, String user, String password,
                         Map<ConnectionParameter, String> parameters) {
        static Parts of(String url) {
            Objects.requireNonNull(url, "url");
            URI uri;
            try {
                uri = new URI(url.trim());
            } catch (URISyntaxException e) {
                // The message of URISyntaxException quotes the input, password included: say only where.
                throw new IllegalArgumentException("database URL is malformed (at index " + e.getIndex() + "): expected "
                        + "postgresql://user:password@host:port/database; percent-encode special characters in the password");
            }
            if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
                throw new IllegalArgumentException("database URL must start with postgresql://");
            }
            String user = null;
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String[] ui = uri.getRawUserInfo().split(":", 2);
                user = ui[0].isEmpty() ? null : decode(ui[0]);
                password = ui.length > 1 ? decode(ui[1]) : null;
            }
            Redactor.register(password);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("database URL has no host");
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            String database = path.startsWith("/") ? decode(path.substring(1)) : decode(path);
            Map<String, String> query = new LinkedHashMap<>();
            if (uri.getRawQuery() != null) {
                for (String kv : uri.getRawQuery().split("&")) {
                    if (kv.isEmpty()) {
                        continue;
                    }
                    String[] q = kv.split("=", 2);
                    query.put(decode(q[0]), q.length > 1 ? decode(q[1]) : "");
                }
            }
            return new Parts(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database.isEmpty() ? null : database,
                    user, password, ConnectionParameter.parse(query));
        }
    }

    /**
     * Parses a Secrets Manager secret string: JSON ({@code host, port, username, password, dbname}; {@code database}
     * and {@code user} too; optional supported parameters such as {@code sslmode}; other fields, like those RDS adds,
     * ignored) or a {@code postgresql://} URL. {@code baseUrl}, when present, is a URL without password giving what the
     * secret lacks (an RDS-managed master user secret holds only {@code username} and {@code password}) and the
     * connection parameters; a field the secret has too must agree with it.
     */
    public static ConnectionSpec fromSecret(String secret, String secretName, Optional<String> baseUrl) {
        Optional<Parts> base = baseUrl.map(Parts::of);
        if (base.isPresent() && base.get().password() != null) {
            throw new IllegalArgumentException("the database URL beside secret " + secretName + " carries a password: the "
                    + "password comes from the secret, remove it from the URL");
        }
        String s = secret == null ? "" : secret.trim();
        if (s.startsWith("postgres")) {
            if (base.isPresent()) {
                throw new IllegalArgumentException("secret " + secretName + " holds a postgresql:// URL: then do not set a URL "
                        + "beside it");
            }
            return fromUrl(s);
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new IllegalArgumentException("secret " + secretName + " is neither JSON nor a postgresql:// URL");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("secret " + secretName + " is not a JSON object");
        }
        Redactor.register(text(node, "password"));
        try {
            String host = pick(node, base.map(Parts::host), "host", "host", null);
            String port = pick(node, base.map(b -> Integer.toString(b.port())), "port", "port", null);
            String database = pick(node, base.map(Parts::database), "database name", "dbname", "database");
            String user = pick(node, base.map(Parts::user), "user name", "username", "user");
            int portNumber;
            try {
                portNumber = port == null ? 5432 : Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("non-numeric port");
            }
            if (host == null) {
                throw new IllegalArgumentException("no host (an RDS-managed master user secret holds only username and "
                        + "password: give host, port and database as a URL without password beside the secret)");
            }
            if (database == null) {
                throw new IllegalArgumentException("no database name (\"dbname\" in the secret, or the URL beside it)");
            }
            if (user == null) {
                throw new IllegalArgumentException("no user name (\"username\")");
            }
            Map<ConnectionParameter, String> params = new EnumMap<>(ConnectionParameter.class);
            base.ifPresent(b -> params.putAll(b.parameters));
            for (ConnectionParameter p : ConnectionParameter.values()) {
                String v = text(node, p.libpqName());
                if (v != null) {
                    params.put(p, v);
                }
            }
            return new ConnectionSpec(host, portNumber, database, user, text(node, "password"), params);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret " + secretName + ": " + e.getMessage(), e);
        }
    }

    /** The secret's field (first of two names) or the base URL's value; both present and different is an error. */
    private static String pick(JsonNode node, Optional<String> fromBase, String what, String field, String alias) {
        String v = text(node, field) != null ? text(node, field) : alias == null ? null : text(node, alias);
        if (v != null && fromBase.isPresent() && !fromBase.get().equals(v)) {
            throw new IllegalArgumentException("its " + what + " '" + v + "' differs from the URL's '" + fromBase.get() + "'");
        }
        return v != null ? v : fromBase.orElse(null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public Optional<String> get(ConnectionParameter p) {
        return Optional.ofNullable(parameters.get(p));
    }

    /** The effective sslmode: as given, else libpq's default {@code prefer}. */
    public String sslmode() {
        return parameters.getOrDefault(ConnectionParameter.SSLMODE, "prefer");
    }

    public ConnectionSpec with(ConnectionParameter p, String value) {
        Map<ConnectionParameter, String> m = new EnumMap<>(ConnectionParameter.class);
        m.putAll(parameters);
        m.put(p, value);
        return new ConnectionSpec(host, port, database, user, password, m);
    }

    public ConnectionSpec withDatabase(String otherDatabase) {
        return new ConnectionSpec(host, port, otherDatabase, user, password, parameters);
    }

    public ConnectionSpec withPassword(String otherPassword) {
        return new ConnectionSpec(host, port, database, user, otherPassword, parameters);
    }

    /** The JDBC URL: host, port and database only (no parameter, no secret). */
    public String jdbcUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** pgJDBC's properties for this connection, with {@code password} (the URL's, or an IAM token) when not null. */
    public Properties jdbcProperties(String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", DEFAULT_APPLICATION_NAME);
        p.setProperty("connectTimeout", DEFAULT_CONNECT_TIMEOUT);
        p.setProperty("sslmode", sslmode());
        parameters.forEach((k, v) -> {
            if (k == ConnectionParameter.SSLROOTCERT && "system".equals(v)) {
                p.setProperty("sslfactory", SystemTrust.JDBC_SSL_FACTORY);
            } else {
                p.setProperty(k.jdbcProperty(), v);
            }
        });
        return p;
    }

    /** libpq's environment for pg_dump / pg_restore / psql: nothing on their command line. */
    public Map<String, String> libpqEnvironment(String password) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", host);
        env.put("PGPORT", Integer.toString(port));
        env.put("PGDATABASE", database);
        env.put("PGUSER", user);
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        env.put("PGAPPNAME", DEFAULT_APPLICATION_NAME);
        env.put("PGCONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT);
        env.put("PGSSLMODE", sslmode());
        parameters.forEach((k, v) -> env.put(k.environmentVariable(),
                k == ConnectionParameter.SSLROOTCERT && "system".equals(v) ? SystemTrust.libpqBundle().toString() : v));
        return env;
    }

    /** host:port/database, for messages. */
    public String describe() {
        return host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ConnectionSpec[" + user + "@" + describe());
        parameters.forEach((k, v) -> s.append(", ").append(k.libpqName()).append('=').append(v));
        return s.append(", password=").append(Redactor.MASK).append(']').toString();
    }
}
