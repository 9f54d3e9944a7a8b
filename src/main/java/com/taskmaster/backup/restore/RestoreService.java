package com.taskmaster.backup.restore;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.format.BackupReader;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgProcess;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.InvalidRequestException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Restores one backup into a target database:
 * <pre>
 *   choose the backup (id, or newest at/before a time) ─► check the target (empty, or confirmed by name)
 *   repository ─► BackupReader (checksum, decrypt, decompress) ─┬► pg_restore --single-transaction --no-owner --no-acl ─► target
 *                                                              └► pg_restore --list (owners, privileges: for the report)
 *   ─► every table's row count on the target equals the manifest's
 * </pre>
 * One pg_restore job reading stdin: {@code pg_restore -j} needs a seekable file, which would mean staging the whole
 * archive on local disk (Lambda's /tmp is bounded). One transaction: a restore that fails midway (a bad backup, a
 * conflicting object, the deadline) leaves the target as it was.
 */
public final class RestoreService {
    private static final Logger LOG = Logger.getLogger(RestoreService.class);
    private static final Pattern ACL_ENTRY = Pattern.compile("^\\d+; \\d+ \\d+ (DEFAULT )?ACL .*");

    private final Repository repository;
    private final Envelope envelope;
    private final PgTools tools;
    private final Clock clock;

    public RestoreService(Repository repository, Envelope envelope, PgTools tools, Clock clock) {
        this.repository = repository;
        this.envelope = envelope;
        this.tools = tools;
        this.clock = clock;
    }

    /** @param deadline when the caller will be killed (Lambda's timeout), or null */
    public RestoreResult run(RestoreRequest request, DbCredentials target, Instant deadline) {
        Manifest m = request.choose(new Catalog(repository).list().backups());
        boolean replace = checkTarget(request, target);
        RestoreResult.PointInTime pit = request.at().map(at -> new RestoreResult.PointInTime(at, m.startedAt(),
                "backup: the state at the snapshot of backup " + m.backupId() + "; changes after it are in no backup")).orElse(null);
        return restore(m, target, replace, pit, deadline);
    }

    /**
     * Restores {@code m} into {@code target} (which the caller has checked: empty, or confirmed when {@code replace})
     * and proves every table's row count equal to the manifest's.
     *
     * @throws RestoreFailedException when the restore fails (nothing committed) or the row counts differ
     */
    public RestoreResult restore(Manifest m, DbCredentials target, boolean replace, RestoreResult.PointInTime pit,
                                 Instant deadline) {
        Instant start = clock.instant();
        TimeLimit checks = TimeLimit.forChecks(deadline); // what follows pg_restore leaves time for the caller's clean-up and report
        LOG.infof("restoring backup %s into %s%s", m.backupId(), target.describe(), replace ? " (replacing its objects)" : "");

        List<String> args = new ArrayList<>(List.of("--no-owner", "--no-acl", "--single-transaction", "--exit-on-error"));
        if (replace) {
            args.addAll(List.of("--clean", "--if-exists"));
        }
        args.add("--dbname=dbname='" + target.database().replace("\\", "\\\\").replace("'", "\\'") + "'");
        String toc;
        try (InputStream plain = openBackup(m);
             PgProcess restore = PgProcess.start(tools, "pg_restore", args, target);
             PgProcess list = PgProcess.start(tools, "pg_restore", List.of("--list"), null);
             Watchdog watchdog = new Watchdog(restore, TimeLimit.forWork(deadline))) {
            CompletableFuture<byte[]> listing = drain(list.stdout());
            CompletableFuture<byte[]> restoreOut = drain(restore.stdout());
            ArchiveFeed.Outcome fed = ArchiveFeed.run(plain, restore.stdin(), list.stdin());
            if (fed.readFailure() != null) {
                restore.kill("the backup failed its checks");
                restore.waitFor(60, TimeUnit.SECONDS);
                throw new RestoreFailedException("restore of backup " + m.backupId() + " into " + target.describe()
                        + " aborted: " + fed.readFailure().getMessage() + "; nothing was committed (one transaction, rolled back)",
                        fed.readFailure());
            }
            closeQuietly(restore);
            int exit = restore.waitFor(waitLimit(deadline), TimeUnit.SECONDS);
            restoreOut.join();
            if (exit != 0 && watchdog.fired()) {
                throw new TimeLimit.Exceeded(watchdog.limit().exceeded("restore of backup " + m.backupId() + " into "
                        + target.describe()).getMessage() + "; nothing was committed (one transaction, rolled back)");
            }
            if (exit != 0) {
                throw new RestoreFailedException("restore of backup " + m.backupId() + " into " + target.describe()
                        + " failed: " + restore.failure(exit) + "; nothing was committed (one transaction, rolled back)");
            }
            list.waitFor(Math.max(1, Math.min(60, checks.millisLeft() / 1000)), TimeUnit.SECONDS);
            toc = new String(listing.join(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RestoreFailedException("restore of backup " + m.backupId() + " into " + target.describe() + " failed: "
                    + e.getMessage() + "; nothing was committed", e);
        }

        List<TableFingerprint> actual;
        try {
            actual = TargetDatabase.fingerprints(target, m.tables(), checks);
        } catch (TimeLimit.Exceeded e) {
            throw new TimeLimit.Exceeded(e.getMessage() + "; backup " + m.backupId() + " was restored into " + target.describe()
                    + " (committed), but its row counts were not all compared with the manifest's: do not use this database "
                    + "before checking them");
        }
        List<String> differences = differences(m.tables(), actual);
        if (!differences.isEmpty()) {
            throw new RestoreFailedException("backup " + m.backupId() + " was restored into " + target.describe()
                    + ", but its tables differ from the manifest: " + String.join("; ", differences)
                    + "; do not use this database before investigating");
        }
        RestoreResult.Roles roles;
        try {
            roles = roles(toc, target, checks);
        } catch (TimeLimit.Exceeded e) {
            throw new TimeLimit.Exceeded(e.getMessage() + "; backup " + m.backupId() + " was restored into " + target.describe()
                    + " (committed) and every table's row count equals the manifest's, but which of the backup's roles the "
                    + "target lacks was not checked");
        }
        long ms = Duration.between(start, clock.instant()).toMillis();
        LOG.infof("restored backup %s into %s: %d tables, fingerprints equal, %d ms", m.backupId(), target.describe(),
                m.tables().size(), ms);
        return new RestoreResult(m.backupId().value(), m.startedAt(), pit, target.describe(), replace, m.tables().size(),
                true, List.of(), roles, ms);
    }

    /** True when the target holds relations and the request confirmed it by name; refuses an unconfirmed non-empty target. */
    private static boolean checkTarget(RestoreRequest request, DbCredentials target) {
        List<String> existing = TargetDatabase.userRelations(target);
        if (existing.isEmpty()) {
            return false;
        }
        if (request.confirm().isPresent() && request.confirm().get().equals(target.database())) {
            return true;
        }
        String sample = existing.stream().limit(5).collect(Collectors.joining(", "))
                + (existing.size() > 5 ? ", ..." : "");
        throw new InvalidRequestException("target " + target.describe() + " is not empty (" + existing.size()
                + " relations: " + sample + "); nothing was changed. To replace the objects the backup contains, repeat with "
                + "\"confirm\": \"" + target.database() + "\"" + (request.confirm().isPresent() ? " (the confirmation given names another database)" : ""));
    }

    private InputStream openBackup(Manifest m) throws IOException {
        try {
            return BackupReader.open(repository, m, envelope);
        } catch (NoSuchObjectException e) {
            throw new RestoreFailedException("backup " + m.backupId() + ": data object "
                    + repository.uriOf(ObjectKey.of(m.data().key())) + " is missing; nothing was changed", e);
        }
    }

    static List<String> differences(List<TableFingerprint> expected, List<TableFingerprint> actual) {
        Map<String, Long> got = actual.stream().collect(Collectors.toMap(TableFingerprint::qualifiedName, TableFingerprint::rows));
        List<String> out = new ArrayList<>();
        for (TableFingerprint t : expected) {
            Long rows = got.get(t.qualifiedName());
            if (rows == null || rows != t.rows()) {
                out.add("table " + t.qualifiedName() + ": " + rows + " rows restored, " + t.rows() + " in the backup");
            }
        }
        return out;
    }

    /** Owners named in pg_restore --list output (the last field of each entry), and the number of privilege entries. */
    private static RestoreResult.Roles roles(String toc, DbCredentials target, TimeLimit limit) {
        Set<String> owners = new TreeSet<>();
        int acl = 0;
        for (String line : toc.split("\n")) {
            if (line.isBlank() || line.startsWith(";")) {
                continue;
            }
            String owner = line.substring(line.lastIndexOf(' ') + 1).strip();
            if (!owner.isEmpty() && !owner.equals("-")) {
                owners.add(owner);
            }
            if (ACL_ENTRY.matcher(line).matches()) {
                acl++;
            }
        }
        Set<String> missing = TargetDatabase.missingRoles(target, owners, limit);
        String note = "ownership and privileges were not restored (--no-owner --no-acl): every restored object belongs to "
                + target.user() + (missing.isEmpty() ? "" : "; roles " + missing + " own objects in the backup but do not exist on the target")
                + (acl > 0 ? "; " + acl + " GRANT/REVOKE entries were skipped: re-grant what the application needs" : "");
        return new RestoreResult.Roles(List.copyOf(owners), List.copyOf(missing), acl, target.user(), note);
    }

    private static long waitLimit(Instant deadline) {
        return deadline == null ? TimeUnit.HOURS.toSeconds(24) : Math.max(1, Duration.between(Instant.now(), deadline).toSeconds());
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        }, command -> {
            Thread t = new Thread(command, "restore-drain");
            t.setDaemon(true);
            t.start();
        });
    }

    private static void closeQuietly(PgProcess p) {
        try {
            p.stdin().close();
        } catch (IOException ignored) {
            // exited already: its exit code tells
        }
    }

    /** Kills pg_restore {@link TimeLimit#forWork} before the invocation's deadline, so its transaction rolls back and the failure is reported. */
    private static final class Watchdog implements AutoCloseable {
        private final Thread thread;
        private final TimeLimit limit;
        private volatile boolean fired;

        Watchdog(PgProcess restore, TimeLimit limit) {
            this.limit = limit;
            thread = new Thread(() -> {
                if (limit.deadline() == null) {
                    return;
                }
                try {
                    Thread.sleep(Math.max(0, limit.millisLeft()));
                    fired = true;
                    restore.kill(limit.exceeded("pg_restore").getMessage());
                } catch (InterruptedException done) {
                    // finished in time
                }
            }, "restore-watchdog");
            thread.setDaemon(true);
            thread.start();
        }

        boolean fired() {
            return fired;
        }

        TimeLimit limit() {
            return limit;
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }
}
