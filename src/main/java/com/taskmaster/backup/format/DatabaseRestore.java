package com.taskmaster.backup.format;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.pgarchive.ArchiveReader;
import com.taskmaster.backup.pgarchive.TocEntry;
import com.taskmaster.backup.pgarchive.FingerprintComparison;
import com.taskmaster.backup.pgarchive.FingerprintKey;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgProcess;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.postgres.TargetDatabase;
import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ReadableRepository;
import com.taskmaster.backup.support.Deadline;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The recovery step every command that restores shares (restore, restore-test, and any later drill): one backup
 * streamed into a database and proven equal to its manifest.
 * <pre>
 *   the archive's table of contents (read first) ─► RestoreRoles: every role it names exists on the target, or refused
 *   repository ─► BackupReader (checksum, decrypt, decompress) ─► pg_restore --single-transaction ─► target
 *   ─► every table's content fingerprint (rows and digest, docs/FINGERPRINTS.md) recomputed on the target equals the
 *      manifest's; for a manifest written before fingerprints, every table's row count
 * </pre>
 * One pg_restore job reading stdin: {@code pg_restore -j} needs a seekable file, which would mean staging the whole
 * archive on local disk (Lambda's /tmp is bounded). One transaction: a restore that fails midway (a bad backup, a
 * conflicting object, the deadline) leaves the target as it was. pg_restore is stopped {@link Deadline.Margin#WORK}
 * before the deadline, and the checks after it end {@link Deadline.Margin#CHECKS} before it, so that the caller can
 * still clean up and report.
 */
public final class DatabaseRestore {
    private static final Logger LOG = Logger.getLogger(DatabaseRestore.class);

    private final ReadableRepository repository;
    private final Envelope envelope;
    private final PgTools tools;
    private final Clock clock;

    public DatabaseRestore(ReadableRepository repository, Envelope envelope, PgTools tools, Clock clock) {
        this.repository = repository;
        this.envelope = envelope;
        this.tools = tools;
        this.clock = clock;
    }

    /**
     * A restore proven equal to its manifest: how many tables, how ({@code proof}: {@link #CONTENT} or, for a manifest
     * written before content fingerprints, {@link #COUNTS}), each table's check, what was done about roles, how long
     * it took.
     */
    public record Restored(int tablesRestored, Roles roles, long durationMs, String proof, List<TableProof> tables) {
        public static final String CONTENT = "content fingerprints (rows and digest of every table, large objects, sequences)";
        public static final String COUNTS = "row counts (the manifest has no content fingerprints)";

        public Restored {
            tables = tables == null ? null : List.copyOf(tables);
        }

        public Restored(int tablesRestored, Roles roles, long durationMs) {
            this(tablesRestored, roles, durationMs, null, null);
        }
    }

    /**
     * One table after the restore: its rows in the backup and restored, and whether rows and digest are equal
     * ({@code digestEqual} null when the manifest has no digests).
     */
    public record TableProof(String table, long rows, long restoredRows, boolean rowsEqual, Boolean digestEqual) {
    }

    /**
     * What was done about roles ({@link RestoreRoles}): {@code handling} restore, create-missing or skip; the roles the
     * backup names (owners, and grantees of privileges and policies), those missing on the target before the restore,
     * the role map applied, the roles created (NOLOGIN: set their passwords), the number of privilege entries, whether
     * ownership and privileges were restored, and, when they were not, the role every object belongs to; {@code proven}:
     * how owners and privileges were proven equal to the backup's ({@link OwnershipProof}).
     */
    public record Roles(String handling, List<String> ownersInBackup, List<String> granteesInBackup, List<String> missingOnTarget,
                        Map<String, String> mapped, List<String> created, int privilegeEntries, boolean ownershipAndPrivilegesRestored,
                        String restoredObjectsOwnedBy, String proven, String note) {
    }

    /**
     * Restores {@code m} into {@code target} (an empty database the caller has checked; replacing a database is
     * restore's swap, {@code restore/ReplaceBySwap}, which restores into a new one) and proves it equal to the manifest:
     * by content fingerprints, or by row counts for a manifest without them. Roles are handled as {@code roleHandling}
     * says ({@link RestoreRoles}: checked before anything is touched).
     *
     * @param deadline the invocation's deadline ({@link Deadline#NONE} without one)
     * @throws RestoreFailedException when the restore fails (nothing committed), the fingerprint key does not unwrap (nothing
     *                                changed), or the restored content differs (each differing table named: count or content)
     * @throws Deadline.Exceeded      when the time ran out; the message says what was committed and what was not checked
     */
    public Restored into(Manifest m, DbCredentials target, RoleHandling roleHandling, Deadline deadline) {
        return into(m, target, roleHandling, deadline, created -> { });
    }

    /**
     * {@link #into(Manifest, DbCredentials, RoleHandling, Deadline)}, telling {@code rolesKept} the roles it created
     * ({@code "create-missing"}) once pg_restore has committed: from then on they own restored objects and stay, also
     * when a check after it fails. A caller that then drops the target (restore's swap, a scratch database) drops them
     * too; before that point a failure drops them here ({@link RestoreRoles#undo}).
     */
    public Restored into(Manifest m, DbCredentials target, RoleHandling roleHandling, Deadline deadline,
                         Consumer<List<String>> rolesKept) {
        Instant start = clock.instant();
        Deadline checks = deadline.minus(Deadline.Margin.CHECKS); // what follows pg_restore leaves time for the caller's clean-up and report
        LOG.infof("restoring backup %s into %s", m.backupId(), target.describe());
        FingerprintKey key = m.fingerprints() == null ? null : unwrapKey(m);
        List<TocEntry> toc = readToc(m);
        RestoreRoles roleStep = RestoreRoles.check(m, toc, roleHandling, target, deadline.minus(Deadline.Margin.WORK));
        roleStep.createMissing(target, () -> roleDefinitions(m), deadline.minus(Deadline.Margin.WORK));
        try {
            pgRestore(m, target, roleStep, deadline);
        } catch (RestoreFailedException e) {
            throw new RestoreFailedException(e.getMessage() + roleStep.undo(target, checks), e);
        } catch (Deadline.Exceeded e) {
            throw new Deadline.Exceeded(e.getMessage() + roleStep.undo(target, checks));
        } catch (RuntimeException e) {
            LOG.warnf("restore of backup %s failed%s", m.backupId(), roleStep.undo(target, checks));
            throw e;
        }
        rolesKept.accept(roleStep.created());

        List<TableProof> proofs = m.fingerprints() != null ? proveContent(m, key, target, checks) : proveCounts(m, target, checks);
        Roles roles = roleStep.report(target, roleHandling.skips() ? null : proveOwnership(m, toc, roleHandling, target, checks));
        long ms = Duration.between(start, clock.instant()).toMillis();
        String proof = m.fingerprints() != null ? Restored.CONTENT : Restored.COUNTS;
        LOG.infof("restored backup %s into %s: %d tables, equal by %s, %d ms", m.backupId(), target.describe(),
                proofs.size(), proof, ms);
        return new Restored(proofs.size(), roles, ms, proof, proofs);
    }

    /** Before anything is touched: a key that does not unwrap fails the restore with the target unchanged. */
    private FingerprintKey unwrapKey(Manifest m) {
        try {
            return m.fingerprints().unwrapKey(envelope, m);
        } catch (RuntimeException e) {
            throw new RestoreFailedException(e.getMessage() + "; nothing was changed", e);
        }
    }

    /** Every table's rows and digest, the large objects and the sequences, recomputed on the target, equal the manifest's. */
    private List<TableProof> proveContent(Manifest m, FingerprintKey key, DbCredentials target, Deadline checks) {
        FingerprintComparison cmp;
        try {
            cmp = FingerprintComparison.compare(m.fingerprints().digests(),
                    TargetDatabase.contentFingerprints(target, m.fingerprints().digests(), key, checks));
        } catch (Deadline.Exceeded e) {
            throw new Deadline.Exceeded(e.getMessage() + "; backup " + m.backupId() + " was restored into " + target.describe()
                    + " (committed), but its content was not all compared with the manifest's fingerprints: do not use this "
                    + "database before checking it");
        }
        if (!cmp.equal()) {
            throw new RestoreFailedException("backup " + m.backupId() + " was restored into " + target.describe()
                    + ", but its content differs from the backup's fingerprints (archive vs restored): "
                    + String.join("; ", cmp.differences()) + "; do not use this database before investigating");
        }
        return cmp.tables().stream().map(t -> new TableProof(t.schema() + "." + t.name(), t.expectedRows(), t.restoredRows(),
                t.rowsEqual(), t.digestEqual())).toList();
    }

    /** Owners and privileges of the restored database equal the backup's ({@link OwnershipProof}); what was proven. */
    private String proveOwnership(Manifest m, List<TocEntry> toc, RoleHandling handling, DbCredentials target,
                                  Deadline checks) {
        try {
            return OwnershipProof.prove(tools, target, toc, handling.map(), true, checks);
        } catch (RestoreFailedException e) {
            throw new RestoreFailedException("backup " + m.backupId() + " was restored into " + target.describe()
                    + " and its content proven, but " + e.getMessage() + "; do not use this database before investigating", e);
        } catch (IOException e) {
            throw new RestoreFailedException("backup " + m.backupId() + " was restored into " + target.describe()
                    + " and its content proven, but its owners and privileges could not be checked: " + e.getMessage(), e);
        } catch (Deadline.Exceeded e) {
            throw new Deadline.Exceeded(e.getMessage() + "; backup " + m.backupId() + " was restored into " + target.describe()
                    + " (committed) and its content proven, but its owners and privileges were not checked");
        }
    }

    /** A manifest without content fingerprints (written before them): every table's row count equals the manifest's. */
    private static List<TableProof> proveCounts(Manifest m, DbCredentials target, Deadline checks) {
        List<TableFingerprint> actual;
        try {
            actual = TargetDatabase.fingerprints(target, m.tables(), checks);
        } catch (Deadline.Exceeded e) {
            throw new Deadline.Exceeded(e.getMessage() + "; backup " + m.backupId() + " was restored into " + target.describe()
                    + " (committed), but its row counts were not all compared with the manifest's: do not use this database "
                    + "before checking them");
        }
        List<String> differences = differences(m.tables(), actual);
        if (!differences.isEmpty()) {
            throw new RestoreFailedException("backup " + m.backupId() + " was restored into " + target.describe()
                    + ", but its tables differ from the manifest: " + String.join("; ", differences)
                    + "; do not use this database before investigating");
        }
        Map<String, Long> got = actual.stream().collect(Collectors.toMap(TableFingerprint::qualifiedName, TableFingerprint::rows));
        return m.tables().stream().map(t -> new TableProof(t.qualifiedName(), t.rows(), got.get(t.qualifiedName()), true, null)).toList();
    }

    /** The roles object's definitions (docs/FORMAT.md), read through the same checks as the data; empty for older backups. */
    private Optional<RoleDefinitions> roleDefinitions(Manifest m) {
        if (m.roles() == null) {
            return Optional.empty();
        }
        try (InputStream in = BackupReader.open(repository, m, m.roles().object(), envelope)) {
            return Optional.of(RoleDefinitions.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new RestoreFailedException("backup " + m.backupId() + ": its roles object cannot be read: " + e.getMessage()
                    + "; nothing was changed", e);
        }
    }

    /** The archive's table of contents, read from the start of the backup before anything is touched. */
    private List<TocEntry> readToc(Manifest m) {
        try (InputStream plain = openBackup(m)) {
            return ArchiveReader.open(plain).toc();
        } catch (IOException e) {
            throw new RestoreFailedException("backup " + m.backupId() + ": its table of contents cannot be read: " + e.getMessage()
                    + "; nothing was changed", e);
        }
    }

    /** Streams the backup into one pg_restore job in one transaction. */
    private void pgRestore(Manifest m, DbCredentials target, RestoreRoles roles, Deadline deadline) {
        List<String> args = new ArrayList<>(roles.pgRestoreOptions());
        args.addAll(List.of("--single-transaction", "--exit-on-error"));
        args.add("--dbname=dbname='" + target.database().replace("\\", "\\\\").replace("'", "\\'") + "'");
        Deadline work = deadline.minus(Deadline.Margin.WORK);
        String what = "restore of backup " + m.backupId() + " into " + target.describe();
        try (InputStream plain = roles.archive(openBackup(m));
             PgProcess restore = PgProcess.start(tools, "pg_restore", args, target);
             Deadline.Watch watch = work.watch("restore-watchdog", () -> restore.kill(work.exceeded("pg_restore").getMessage()))) {
            CompletableFuture<byte[]> restoreOut = drain(restore.stdout());
            ArchiveFeed.Outcome fed = ArchiveFeed.run(plain, restore.stdin(), null);
            if (fed.readFailure() != null) {
                restore.kill("the backup failed its checks");
                restore.waitFor(60, TimeUnit.SECONDS);
                throw new RestoreFailedException(what + " aborted: " + fed.readFailure().getMessage()
                        + "; nothing was committed (one transaction, rolled back)", fed.readFailure());
            }
            closeQuietly(restore);
            int exit = restore.waitFor(waitLimit(deadline), TimeUnit.SECONDS);
            restoreOut.join();
            if (exit != 0 && watch.fired()) {
                throw new Deadline.Exceeded(work.exceeded(what).getMessage() + "; nothing was committed (one transaction, rolled back)");
            }
            if (exit != 0) {
                throw new RestoreFailedException(what + " failed: " + restore.failure(exit)
                        + "; nothing was committed (one transaction, rolled back)");
            }
        } catch (IOException e) {
            throw new RestoreFailedException(what + " failed: " + e.getMessage() + "; nothing was committed", e);
        }
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

    /** How long to wait for pg_restore to exit once its input has ended: until the deadline (a day without one). */
    private static long waitLimit(Deadline deadline) {
        return deadline.isNone() ? TimeUnit.HOURS.toSeconds(24) : Math.max(1, deadline.millisLeft() / 1000);
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
}
