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

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The roles captured with each backup (docs/FORMAT.md, the roles object): the source server's roles and memberships
 * without passwords, {@code pg_dumpall --globals-only --no-role-passwords} (which reads {@code pg_roles}, not
 * {@code pg_authid}, so it works on RDS, Aurora and Neon), streamed through the same pipeline as the data
 * ({@link BackupWriter}: zstd, the backup's envelope and encryption context) into the backup's roles object. When
 * pg_dumpall fails, the same SQL for roles and memberships only is built from the catalog ({@link RoleCatalog}); the
 * manifest's {@code roles.capturedBy} says which.
 */
final class RoleCapture {
    private static final Logger LOG = Logger.getLogger(RoleCapture.class);

    private interface Body {
        long writeTo(OutputStream out) throws IOException;
    }

    private RoleCapture() {
    }

    /**
     * Stores the roles object at {@code key} (committed) and describes it for the manifest.
     *
     * @param referenced the role names the backup's archive names
     */
    static Manifest.Roles store(AppendOnlyRepository repository, Envelope envelope, Map<String, String> context, ObjectKey key,
                                PgTools tools, DbCredentials db, List<String> referenced, Deadline work) throws IOException {
        try {
            return write(repository, envelope, context, key, out -> pgDumpall(tools, db, out, work), Manifest.Roles.PG_DUMPALL,
                    referenced);
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

    private static long pgDumpall(PgTools tools, DbCredentials db, OutputStream out, Deadline work) throws IOException {
        try (PgProcess dumpall = PgProcess.start(tools, "pg_dumpall", List.of("--globals-only", "--no-role-passwords",
                "--no-password", "--database=" + db.database()), db);
             Deadline.Watch watch = work.watch("roles-deadline", () -> dumpall.kill(work.stopped()))) {
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
