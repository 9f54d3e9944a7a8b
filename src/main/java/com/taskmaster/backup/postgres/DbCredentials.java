package com.taskmaster.backup.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.support.Redactor;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * Where and as whom to connect. The password is registered with the {@link Redactor} on creation and
 * never appears in {@link #toString()}, in a command line, or in any message: JDBC gets it as a property,
 * pg_dump through {@code PGPASSWORD} in its environment.
 */
public record DbCredentials(String host, int port, String database, String user, String password, String sslmode) {
    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    public DbCredentials {
        require(host, "host");
        require(database, "database name");
        require(user, "user name");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("database port out of range: " + port);
        }
        sslmode = sslmode == null || sslmode.isBlank() ? "prefer" : sslmode;
        if (!SSL_MODES.contains(sslmode)) {
            throw new IllegalArgumentException("unknown sslmode '" + sslmode + "'; expected one of " + SSL_MODES);
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

    /** Parses {@code postgresql://user:password@host:port/database?sslmode=require} (also {@code postgres://}). */
    public static DbCredentials fromUrl(String url) {
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
            user = decode(ui[0]);
            password = ui.length > 1 ? decode(ui[1]) : null;
        }
        Redactor.register(password);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = path.startsWith("/") ? decode(path.substring(1)) : decode(path);
        Map<String, String> query = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                String[] p = kv.split("=", 2);
                query.put(decode(p[0]), p.length > 1 ? decode(p[1]) : "");
            }
        }
        for (String k : query.keySet()) {
            if (!k.equals("sslmode")) {
                throw new IllegalArgumentException("unsupported database URL parameter '" + k + "' (supported: sslmode)");
            }
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("database URL has no host");
        }
        return new DbCredentials(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
                database, user, password, query.get("sslmode"));
    }

    /**
     * Parses a Secrets Manager secret string: RDS/Neon JSON ({@code host, port, username, password, dbname};
     * {@code database} and {@code user} are accepted too; optional {@code sslmode}) or a {@code postgresql://} URL.
     */
    public static DbCredentials fromSecret(String secret, String secretName) {
        String s = secret == null ? "" : secret.trim();
        if (s.startsWith("postgres")) {
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
        String port = text(node, "port");
        int portNumber;
        try {
            portNumber = port == null ? 5432 : Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("secret " + secretName + " has a non-numeric port");
        }
        String database = text(node, "dbname") != null ? text(node, "dbname") : text(node, "database");
        String user = text(node, "username") != null ? text(node, "username") : text(node, "user");
        try {
            return new DbCredentials(text(node, "host"), portNumber, database, user, text(node, "password"), text(node, "sslmode"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret " + secretName + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public String jdbcUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + URLEncodedPath.encode(database);
    }

    public Properties jdbcProperties() {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("sslmode", sslmode);
        p.setProperty("ApplicationName", "taskmaster-backup");
        p.setProperty("connectTimeout", "15");
        p.setProperty("tcpKeepAlive", "true");
        return p;
    }

    /** libpq environment for pg_dump/pg_restore/psql: no secret on any command line. */
    public Map<String, String> libpqEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", host);
        env.put("PGPORT", Integer.toString(port));
        env.put("PGDATABASE", database);
        env.put("PGUSER", user);
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        env.put("PGSSLMODE", sslmode);
        env.put("PGCONNECT_TIMEOUT", "15");
        env.put("PGAPPNAME", "taskmaster-backup");
        return env;
    }

    /** host:port/database, for messages. */
    public String describe() {
        return host + ":" + port + "/" + database;
    }

    public DbCredentials withDatabase(String otherDatabase) {
        return new DbCredentials(host, port, otherDatabase, user, password, sslmode);
    }

    @Override
    public String toString() {
        return "DbCredentials[" + user + "@" + describe() + ", sslmode=" + sslmode + ", password=" + Redactor.MASK + "]";
    }

    /** Percent-encodes a database name for the JDBC URL path. */
    static final class URLEncodedPath {
        static String encode(String s) {
            return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }
    }
}
