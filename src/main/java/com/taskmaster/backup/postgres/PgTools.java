package com.taskmaster.backup.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The directory of the stock PostgreSQL client programs (pg_dump, pg_restore, psql) and their version. */
public record PgTools(Path binDir) {

    /**
     * The configured directory, else {@code /opt/bin} (the Lambda layer), else the newest
     * {@code /usr/lib/postgresql/N/bin}, else the directory of pg_dump on PATH.
     */
    public static PgTools locate(Optional<String> configured) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            Path dir = Path.of(configured.get());
            if (!Files.isExecutable(dir.resolve("pg_dump"))) {
                throw new IllegalStateException("BACKUP_PG_BIN=" + dir + " has no executable pg_dump");
            }
            return new PgTools(dir);
        }
        if (Files.isExecutable(Path.of("/opt/bin/pg_dump"))) {
            return new PgTools(Path.of("/opt/bin"));
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Optional<Path> newest = versions.filter(p -> p.getFileName().toString().matches("\\d+"))
                        .filter(p -> Files.isExecutable(p.resolve("bin/pg_dump")))
                        .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())));
                if (newest.isPresent()) {
                    return new PgTools(newest.get().resolve("bin"));
                }
            } catch (IOException ignored) {
                // fall through to PATH
            }
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "pg_dump"))) {
                return new PgTools(Path.of(dir));
            }
        }
        throw new IllegalStateException("pg_dump not found: set BACKUP_PG_BIN to the directory of pg_dump/pg_restore "
                + "(apt-get install postgresql-client, or the Lambda layer under /opt/bin)");
    }

    public Path program(String name) {
        Path p = binDir.resolve(name);
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(name + " not found in " + binDir);
        }
        return p;
    }

    public PgVersion version(String program) {
        try {
            Process p = new ProcessBuilder(List.of(program(program).toString(), "--version"))
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(program + " --version failed: " + out.strip());
            }
            return PgVersion.ofToolOutput(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + program + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + program, e);
        }
    }
}
