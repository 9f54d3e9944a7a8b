package com.taskmaster.backup.testing;

import com.taskmaster.backup.postgres.DbCredentials;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real PgBouncer (Debian's {@code pgbouncer}, bin/prereqs --test) in front of the suite's PostgreSQL, with two
 * databases: {@code <db>_tx} pooled by transaction and {@code <db>_session} by session. Started per call (as user
 * postgres: PgBouncer refuses root), stopped at exit.
 */
public final class PgBouncer {
    private final int port;
    private final DbCredentials server;

    private PgBouncer(int port, DbCredentials server) {
        this.port = port;
        this.server = server;
    }

    /** Starts PgBouncer for {@code db} (a database of the suite's server). */
    public static PgBouncer start(DbCredentials db) {
        Path binary = Path.of("/usr/sbin/pgbouncer");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("pgbouncer not found at " + binary + ": run bin/prereqs --test (apt-get install pgbouncer)");
        }
        try {
            Path dir = Files.createTempDirectory("tmb-pgbouncer-");
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            String target = "host=" + db.host() + " port=" + db.port() + " dbname=" + db.database() + " user=" + db.user()
                    + " password=" + db.password();
            Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
                    "[databases]",
                    db.database() + "_tx = " + target + " pool_mode=transaction",
                    db.database() + "_session = " + target + " pool_mode=session",
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    "listen_port = " + port,
                    "unix_socket_dir =",
                    "auth_type = any",
                    "pool_mode = session",
                    "default_pool_size = 4",
                    "ignore_startup_parameters = extra_float_digits",
                    "logfile = " + dir.resolve("pgbouncer.log"),
                    "pidfile = " + dir.resolve("pgbouncer.pid"),
                    ""));
            PostgresServer.run(List.of("chown", "-R", "postgres:", dir.toString()), Map.of());
            PostgresServer.run(List.of("chmod", "700", dir.toString()), Map.of());
            PostgresServer.run(List.of("runuser", "-u", "postgres", "--", binary.toString(), "-d", dir.resolve("pgbouncer.ini").toString()),
                    Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    String pid = Files.readString(dir.resolve("pgbouncer.pid")).strip();
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroy);
                } catch (IOException | RuntimeException ignored) {
                    // best effort at exit
                }
            }));
            waitForPort(port);
            return new PgBouncer(port, db);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start pgbouncer: " + e.getMessage(), e);
        }
    }

    private static void waitForPort(int port) {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("pgbouncer does not listen on port " + port);
    }

    /** The database pooled by transaction. */
    public DbCredentials transactionPooled() {
        return new DbCredentials("127.0.0.1", port, server.database() + "_tx", server.user(), server.password(), "disable");
    }

    /** The database pooled by session. */
    public DbCredentials sessionPooled() {
        return new DbCredentials("127.0.0.1", port, server.database() + "_session", server.user(), server.password(), "disable");
    }
}
