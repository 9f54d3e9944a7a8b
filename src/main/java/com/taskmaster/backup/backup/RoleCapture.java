package com.taskmaster.backup.backup;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.format.BackupWriter;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgProcess;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.postgres.RoleCatalog;
import com.taskmaster.backup.repository.AppendOnlyRepository;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ObjectWriter;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Redactor;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The roles captured with each backup (docs/FORMAT.md, the roles object): the source server's roles and memberships
 * without passwords, {@code pg_dumpall --globals-only --no-role-passwords} (which reads {@code pg_roles}, not
 * {@code pg_authid}, so it works on RDS, Aurora and Neon), streamed through the same pipeline as the data
 * ({@link BackupWriter}: zstd, the backup's envelope and encryption context) into the backup's roles object. When
 * pg_dumpall fails, the same SQL for roles and memberships only is built from the catalog ({@link RoleCatalog}); the
 * manifest's {@code roles.capturedBy} says which. pg_dumpall runs while the dump runs ({@link Capture}), not after it.
 */
final class RoleCapture {
    private static final Logger LOG = Logger.getLogger(RoleCapture.class);

    private interface Body {
        long writeTo(OutputStream out) throws IOException;
    }

    /** The most of pg_dumpall's output held in memory while the dump runs (~16 MiB: some 50,000 roles). */
    static final int MAX_HELD = 16 * 1024 * 1024;

    private RoleCapture() {
    }

    /**
     * pg_dumpall's output, taken on a thread of its own while the dump runs (the roles do not depend on the dump's
     * snapshot), held in memory up to {@value #MAX_HELD} bytes; {@link #store} writes it after the dump. Closing it
     * stops a pg_dumpall still running (a backup that failed meanwhile); it never writes to the repository.
     */
    static final class Capture implements AutoCloseable {
        private final CompletableFuture<byte[]> output = new CompletableFuture<>();
        private final Thread thread;
        private volatile PgProcess process;
        private volatile boolean closed;

        private Capture(PgTools tools, DbCredentials db, Deadline work, String name, int limit) {
            thread = new Thread(() -> {
                try {
                    Held held = new Held(limit);
                    pgDumpall(tools, db, held, work, this::started);
                    output.complete(held.toByteArray());
                } catch (UncheckedIOException e) {
                    output.completeExceptionally(e.getCause() instanceof TooLarge t ? t : e);
                } catch (Throwable e) { // anything: store() reports it
                    output.completeExceptionally(e);
                }
            }, name);
            thread.setDaemon(true);
        }

        /** Starts pg_dumpall now; {@code name} names its thread. */
        static Capture start(PgTools tools, DbCredentials db, Deadline work, String name) {
            return start(tools, db, work, name, MAX_HELD);
        }

        /** As {@link #start(PgTools, DbCredentials, Deadline, String)}, holding at most {@code limit} bytes. */
        static Capture start(PgTools tools, DbCredentials db, Deadline work, String name, int limit) {
            Capture c = new Capture(tools, db, work, name, limit);
            c.thread.start();
            return c;
        }

        private void started(PgProcess p) {
            process = p;
            if (closed) {
                p.kill("the backup failed");
            }
        }

        /** pg_dumpall's output; its failure as thrown ({@link TooLarge} when it did not fit in memory). */
        byte[] await() throws IOException {
            try {
                return output.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for pg_dumpall");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }

        @Override
        public void close() {
            closed = true;
            PgProcess p = process;
            if (p != null && thread.isAlive()) {
                p.kill("the backup failed");
            }
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** pg_dumpall's output did not fit in memory: it is streamed after the dump instead. */
    static final class TooLarge extends IOException {
        TooLarge(int limit) {
            super("pg_dumpall's output exceeds " + limit + " bytes");
        }
    }

    /** Memory for pg_dumpall's output, bounded. */
    private static final class Held extends ByteArrayOutputStream {
        private final int limit;

        Held(int limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (count + len > limit) {
                throw new UncheckedIOException(new TooLarge(limit));
            }
            super.write(b, off, len);
        }

        @Override
        public synchronized void write(int b) {
            write(new byte[]{(byte) b}, 0, 1);
        }
    }

    /**
     * Stores the roles object at {@code key} (committed) and describes it for the manifest: the output of
     * {@code capture} (started with the dump), or when it was too large to hold, pg_dumpall run again and streamed; when
     * pg_dumpall failed, roles and memberships from the catalog.
     *
     * @param referenced the role names the backup's archive names
     */
    static Manifest.Roles store(AppendOnlyRepository repository, Envelope envelope, Map<String, String> context, ObjectKey key,
                                Capture capture, PgTools tools, DbCredentials db, List<String> referenced, Deadline work)
            throws IOException {
        try {
            Body body;
            try {
                byte[] sql = capture.await();
                body = out -> {
                    out.write(sql);
                    return sql.length;
                };
            } catch (TooLarge e) {
                LOG.infof("%s: streaming it after the dump", e.getMessage());
                body = out -> pgDumpall(tools, db, out, work, p -> { });
            }
            return write(repository, envelope, context, key, body, Manifest.Roles.PG_DUMPALL, referenced);
        } catch (IOException | RuntimeException e) {
            if (e instanceof Deadline.Exceeded) {
                throw e;
            }
            LOG.warnf("pg_dumpall --globals-only failed (%s); capturing roles and memberships from pg_roles instead",
                    Redactor.redact(e.getMessage()));
        }
        byte[] sql = (String.join("\n", RoleCatalog.statements(db)) + "\n").getBytes(StandardCharsets.UTF_8);
        return write(repository, envelope, context, key, out -> {
            out.write(sql);
            return sql.length;
        }, Manifest.Roles.CATALOG, referenced);
    }

    private static Manifest.Roles write(AppendOnlyRepository repository, Envelope envelope, Map<String, String> context,
                                        ObjectKey key, Body body, String capturedBy, List<String> referenced) throws IOException {
        try (ObjectWriter writer = repository.create(key)) {
            BackupWriter pipeline = BackupWriter.open(writer.stream(), envelope, context);
            long plainBytes;
            try (OutputStream plain = pipeline.plain()) {
                plainBytes = body.writeTo(plain);
            }
            writer.commit();
            return new Manifest.Roles(pipeline.dataObject(key, plainBytes), capturedBy, referenced);
        }
    }

    private static long pgDumpall(PgTools tools, DbCredentials db, OutputStream out, Deadline work,
                                  Consumer<PgProcess> started) throws IOException {
        try (PgProcess dumpall = PgProcess.start(tools, "pg_dumpall", List.of("--globals-only", "--no-role-passwords",
                "--no-password", "--database=" + db.database()), db);
             Deadline.Watch watch = work.watch("roles-deadline", () -> dumpall.kill(work.stopped()))) {
            started.accept(dumpall);
            long n;
            try (InputStream in = dumpall.stdout()) {
                n = in.transferTo(out);
            }
            int exit = dumpall.waitFor(60, TimeUnit.SECONDS);
            if (watch.fired()) {
                throw work.exceeded("pg_dumpall --globals-only");
            }
            if (exit != 0 || dumpall.killedBecause() != null || n == 0) {
                throw new IOException(dumpall.failure(exit));
            }
            return n;
        }
    }
}
