package com.taskmaster.backup.restore;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.postgres.TargetDatabase;
import com.taskmaster.backup.repository.ReadableRepository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.InvalidRequestException;

import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Restores one backup into a target database:
 * <pre>
 *   choose the backup (id, or newest at/before a time) ─► check the target (empty, or confirmed by name)
 *   ─► {@link DatabaseRestore} (stream into pg_restore, one transaction; every table's content fingerprint, or for an
 *       older manifest its row count, equals the manifest's); a confirmed target: into a new database beside it, then
 *       swapped in by renaming ({@link ReplaceBySwap})
 * </pre>
 */
public final class RestoreService {
    private final ReadableRepository repository;
    private final DatabaseRestore restore;
    private final ReplaceBySwap replace;

    public RestoreService(ReadableRepository repository, Envelope envelope, PgTools tools, Clock clock) {
        this.repository = repository;
        this.restore = new DatabaseRestore(repository, envelope, tools, clock);
        this.replace = new ReplaceBySwap(clock);
    }

    /** @param deadline the invocation's deadline ({@link Deadline#NONE} without one) */
    public RestoreResult run(RestoreRequest request, DbCredentials target, Deadline deadline) {
        Catalog catalog = new Catalog(repository);
        Catalog.Listing listing = catalog.list();
        Manifest m = catalog.confirmed(listing, request.choose(listing.backups()));
        boolean replace = checkTarget(request, target);
        RestoreResult.PointInTime pit = request.at().map(at -> new RestoreResult.PointInTime(at, m.startedAt(),
                "backup: the state at the snapshot of backup " + m.backupId() + "; changes after it are in no backup")).orElse(null);
        ReplaceBySwap.RestoreInto restoreInto = (db, rolesKept) -> restore.into(m, db, request.roles(), deadline, rolesKept);
        ReplaceBySwap.Replaced swapped = replace ? this.replace.replace(m, target, restoreInto, deadline) : null;
        // into the target itself: roles created for it stay with what was restored, even when a check after pg_restore fails
        DatabaseRestore.Restored restored = replace ? swapped.restored() : restoreInto.apply(target, kept -> { });
        return new RestoreResult(m.backupId().value(), m.startedAt(), pit, target.describe(), replace, restored.tablesRestored(),
                true, List.of(), restored.roles(), restored.durationMs(), restored.proof(), restored.tables(),
                replace ? swapped.swap() : null);
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
}
