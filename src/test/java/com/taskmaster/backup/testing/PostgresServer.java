package com.taskmaster.backup.testing;

import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgTools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server for the whole test JVM, started with the project's own {@code bin/pg-local}
 * (free port, temporary directory, as user postgres when the tests run as root, password authentication
 * over TCP) and stopped at exit.
 */
public final class PostgresServer {
    private static PostgresServer instance;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path dir;
    private final DbCredentials admin;
    private final PgTools tools = PgTools.locate(Optional.empty());

    private PostgresServer(Path dir, DbCredentials admin) {
        this.dir = dir;
        this.admin = admin;
    }

    public static synchronized PostgresServer get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static PostgresServer scratchInstance;

    /**
     * A second, separate server (its own cluster: another port and system identifier), started on first use: the
     * restore-test server, which must never be the source database's server.
     */
    public static synchronized PostgresServer scratch() {
        if (scratchInstance == null) {
            scratchInstance = start();
        }
        return scratchInstance;
    }

    private static PostgresServer start() {
        {
            try {
                Path dir = Files.createTempDirectory("tmb-pg-");
                String url = run(List.of(repoFile("bin/pg-local").toString(), "start", dir.resolve("pg").toString()), Map.of()).strip();
                PostgresServer server = new PostgresServer(dir.resolve("pg"), DbCredentials.fromUrl(url));
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        run(List.of(repoFile("bin/pg-local").toString(), "stop", server.dir.toString()), Map.of());
                        Files.deleteIfExists(dir);
                    } catch (IOException | RuntimeException ignored) {
                        // best effort at exit
                    }
                }));
                return server;
            } catch (IOException e) {
                throw new IllegalStateException("cannot start PostgreSQL: " + e.getMessage(), e);
            }
        }
    }

    public static Path repoFile(String relative) {
        Path p = Path.of(System.getProperty("user.dir")).resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException(p + " not found (tests run from the repository root)");
        }
        return p;
    }

    public DbCredentials admin() {
        return admin;
    }

    public PgTools tools() {
        return tools;
    }

    /** Creates a fresh, empty database and returns credentials for it. */
    public DbCredentials createDatabase(String prefix) {
        String name = prefix + "_" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid();
        psql("postgres", "CREATE DATABASE " + name);
        return admin.withDatabase(name);
    }

    /** A fresh database holding the TaskMaster sample data at the given scale. */
    public DbCredentials sampleDatabase(String prefix, double scale) {
        DbCredentials db = createDatabase(prefix);
        List<String> cmd = new ArrayList<>(List.of(tools.program("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-v", "scale=" + scale, "-f", repoFile("db/taskmaster-sample.sql").toString()));
        run(cmd, db.libpqEnvironment());
        return db;
    }

    /** Runs SQL with psql (ON_ERROR_STOP) and returns its unaligned, tuples-only output. */
    public String psql(String database, String sql) {
        return run(List.of(tools.program("psql").toString(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql),
                admin.withDatabase(database).libpqEnvironment());
    }

    public static String run(List<String> command, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
            pb.environment().putAll(env);
            pb.redirectErrorStream(false);
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] err = new byte[0];
            var errFuture = new java.util.concurrent.CompletableFuture<byte[]>();
            new Thread(() -> {
                try {
                    errFuture.complete(p.getErrorStream().readAllBytes());
                } catch (IOException e) {
                    errFuture.complete(new byte[0]);
                }
            }).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            err = errFuture.join();
            if (p.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " exited " + p.exitValue() + ": "
                        + new String(err, StandardCharsets.UTF_8) + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
