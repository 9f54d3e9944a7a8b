package com.taskmaster.backup.postgres;

import com.taskmaster.backup.support.Redactor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running stock PostgreSQL client program (pg_dump, pg_restore, psql) with its connection in libpq
 * environment variables, never on the command line. stderr is drained on a thread and its last 16 KiB
 * kept (redacted) for error messages.
 */
public final class PgProcess implements AutoCloseable {
    private static final int STDERR_KEEP = 16 * 1024;

    private final String name;
    private final Process process;
    private final Thread stderrDrain;
    private final StringBuilder stderr = new StringBuilder();
    private volatile String killedBecause;

    private PgProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stderrDrain = new Thread(this::drainStderr, name + "-stderr");
        this.stderrDrain.setDaemon(true);
        this.stderrDrain.start();
    }

    /** Starts {@code program}; {@code db} may be null for programs that connect nowhere (pg_restore --file). */
    public static PgProcess start(PgTools tools, String program, List<String> args, DbCredentials db) {
        return start(tools, program, args, db, Map.of());
    }

    /**
     * As {@link #start(PgTools, String, List, DbCredentials)}, with {@code settings} added to the libpq environment
     * ({@code PGTZ}, {@code PGOPTIONS}: session settings); a {@code PGOPTIONS} the connection already has is kept, first.
     */
    public static PgProcess start(PgTools tools, String program, List<String> args, DbCredentials db, Map<String, String> settings) {
        List<String> command = new ArrayList<>();
        command.add(tools.program(program).toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PG")); // only our settings, not the host's
        if (db != null) {
            env.putAll(db.libpqEnvironment());
        }
        settings.forEach((k, v) -> env.merge(k, v, (own, added) -> k.equals("PGOPTIONS") ? own + " " + added : added));
        try {
            return new PgProcess(program, pb.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + program + ": " + e.getMessage(), e);
        }
    }

    public InputStream stdout() {
        return process.getInputStream();
    }

    public OutputStream stdin() {
        return process.getOutputStream();
    }

    public String name() {
        return name;
    }

    /** Stops the program (and so the stream it writes), recording why for the error message. */
    public void kill(String reason) {
        killedBecause = reason;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    public String killedBecause() {
        return killedBecause;
    }

    /** Waits for the exit code; the caller has consumed stdout. */
    public int waitFor(long timeout, TimeUnit unit) {
        try {
            if (!process.waitFor(timeout, unit)) {
                kill(name + " did not exit within " + unit.toSeconds(timeout) + " s after its output ended");
                process.waitFor();
            }
            stderrDrain.join(TimeUnit.SECONDS.toMillis(10));
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill("interrupted");
            return -1;
        }
    }

    /** The last lines pg_dump wrote to stderr, redacted. */
    public String stderrTail() {
        synchronized (stderr) {
            return Redactor.redact(stderr.toString().strip());
        }
    }

    /** A one-line reason for a failed run: exit code, kill reason, stderr. */
    public String failure(int exitCode) {
        String why = killedBecause != null ? " (" + killedBecause + ")" : "";
        String tail = stderrTail();
        return name + " exited with code " + exitCode + why + (tail.isEmpty() ? "" : ": " + tail);
    }

    private void drainStderr() {
        byte[] buf = new byte[4096];
        try (InputStream in = process.getErrorStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                String chunk = new String(buf, 0, n, StandardCharsets.UTF_8);
                synchronized (stderr) {
                    stderr.append(chunk);
                    if (stderr.length() > STDERR_KEEP) {
                        stderr.delete(0, stderr.length() - STDERR_KEEP);
                    }
                }
            }
        } catch (IOException ignored) {
            // process gone
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill(killedBecause != null ? killedBecause : "abandoned");
        }
    }
}
