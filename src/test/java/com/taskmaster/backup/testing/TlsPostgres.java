package com.taskmaster.backup.testing;

import com.taskmaster.backup.postgres.ConnectionParameter;
import com.taskmaster.backup.postgres.ConnectionSpec;
import com.taskmaster.backup.postgres.DbCredentials;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A second real PostgreSQL (bin/pg-local) for the connection tests, with TLS on: a CA and a server certificate for
 * {@code localhost} only (no IP address in it) made here with openssl, and a second, unrelated CA. Authentication is
 * {@code scram-sha-256} (so {@code SCRAM-SHA-256-PLUS} over TLS), except for the role {@link #MD5_USER}, which logs in
 * with {@code md5} over TLS: a server that cannot bind the channel. Started once per test JVM, stopped at exit.
 */
public final class TlsPostgres {
    public static final String MD5_USER = "md5user";
    private static TlsPostgres instance;

    private final Path dir;
    private final DbCredentials admin;
    private final Path ca;
    private final Path wrongCa;

    private TlsPostgres(Path dir, DbCredentials admin, Path ca, Path wrongCa) {
        this.dir = dir;
        this.admin = admin;
        this.ca = ca;
        this.wrongCa = wrongCa;
    }

    public static synchronized TlsPostgres get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("tmb-tls-");
                Path pgDir = dir.resolve("pg");
                String url = PostgresServer.run(List.of(PostgresServer.repoFile("bin/pg-local").toString(), "start",
                        pgDir.toString()), Map.of()).strip();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        PostgresServer.run(List.of(PostgresServer.repoFile("bin/pg-local").toString(), "stop", pgDir.toString()),
                                Map.of());
                    } catch (RuntimeException ignored) {
                        // best effort at exit
                    }
                }));
                DbCredentials admin = DbCredentials.fromUrl(url);
                Path certs = Files.createDirectories(dir.resolve("certs"));
                Path ca = certificateAuthority(certs, "ca");
                Path wrongCa = certificateAuthority(certs, "wrong-ca");
                openssl(certs, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                        "-subj", "/CN=localhost");
                Files.writeString(certs.resolve("san.ext"), "subjectAltName=DNS:localhost\n");
                openssl(certs, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                        "-days", "2", "-out", "server.crt", "-extfile", "san.ext");
                Path data = pgDir.resolve("data");
                for (String f : List.of("server.crt", "server.key")) {
                    Files.copy(certs.resolve(f), data.resolve(f));
                    PostgresServer.run(List.of("chown", "--reference=" + data.resolve("PG_VERSION"), data.resolve(f).toString()),
                            Map.of());
                    PostgresServer.run(List.of("chmod", "600", data.resolve(f).toString()), Map.of());
                }
                Path hba = data.resolve("pg_hba.conf");
                Files.writeString(hba, "hostssl all " + MD5_USER + " 127.0.0.1/32 md5\n" + Files.readString(hba));
                psql(admin, "ALTER SYSTEM SET ssl = on");
                psql(admin, "SELECT pg_reload_conf()");
                psql(admin, "SET password_encryption = 'md5'; CREATE ROLE " + MD5_USER + " LOGIN PASSWORD 'md5-secret-1234'");
                instance = new TlsPostgres(dir, admin, ca, wrongCa);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the TLS PostgreSQL: " + e.getMessage(), e);
            }
        }
        return instance;
    }

    private static Path certificateAuthority(Path certs, String name) {
        openssl(certs, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".crt",
                "-days", "2", "-subj", "/CN=taskmaster test " + name, "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return certs.resolve(name + ".crt");
    }

    private static void openssl(Path cwd, String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        List<String> inDir = List.of("sh", "-c", "cd \"$0\" && exec \"$@\" 2>&1", cwd.toString());
        List<String> all = new ArrayList<>(inDir);
        all.addAll(cmd);
        PostgresServer.run(all, Map.of());
    }

    private static void psql(DbCredentials db, String sql) {
        PostgresServer.run(List.of(PostgresServer.get().tools().program("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-c", sql), db.libpqEnvironment());
    }

    /** The server's admin (superuser) connection as bin/pg-local gives it: 127.0.0.1, no parameters. */
    public DbCredentials admin() {
        return admin;
    }

    /** The CA that signed the server's certificate. */
    public Path ca() {
        return ca;
    }

    /** A CA unrelated to the server. */
    public Path wrongCa() {
        return wrongCa;
    }

    /** A spec for this server: {@code host} and {@code user}/{@code password}, the admin's database, {@code parameters}. */
    public ConnectionSpec spec(String host, String user, String password, Map<ConnectionParameter, String> parameters) {
        return new ConnectionSpec(host, admin.port(), admin.database(), user, password, parameters);
    }

    /** The admin on {@code host} with {@code parameters}. */
    public ConnectionSpec adminSpec(String host, Map<ConnectionParameter, String> parameters) {
        return spec(host, admin.user(), admin.password(), parameters);
    }

    /** The admin's URL ({@code postgresql://user:password@host:port/db}) with {@code query} appended as it is. */
    public String url(String host, String database, String query) {
        return "postgresql://" + admin.user() + ":" + admin.password() + "@" + host + ":" + admin.port() + "/" + database
                + (query.isEmpty() ? "" : "?" + query);
    }

    public Path dir() {
        return dir;
    }
}
