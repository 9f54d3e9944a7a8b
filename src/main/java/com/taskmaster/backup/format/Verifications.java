package com.taskmaster.backup.format;

import com.taskmaster.backup.repository.AppendOnlyRepository;
import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectExistsException;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ReadableRepository;
import com.taskmaster.backup.support.Bounded;
import com.taskmaster.backup.support.RandomIds;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The verification records of a repository ({@link Layout#verification}: {@code verifications/<backupId>/<time>-<random>.json}).
 * Keys sort by time within a backup, so the last one listed is the latest. For prune, restore-test and verify's plan:
 * {@link #latest()} tells which backups were last found good (or bad).
 */
public final class Verifications {
    private static final Logger LOG = Logger.getLogger(Verifications.class);

    private final ReadableRepository repository;

    public Verifications(ReadableRepository repository) {
        this.repository = repository;
    }

    /** Stores a new record in {@code repository} (never replacing one) and returns its key. */
    public static ObjectKey record(AppendOnlyRepository repository, Verification v) {
        for (int attempt = 0; ; attempt++) {
            ObjectKey key = Layout.verification(v.backupId(), v.verifiedAt(), Integer.toString(RandomIds.below(1 << 20), 36));
            try {
                repository.putIfAbsent(key, v.toJson());
                return key;
            } catch (ObjectExistsException e) {
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * The latest verdict of every backup that has one: its newest readable record whose outcome is {@code passed} or
     * {@code failed}. Records of outcome {@code error} (the check could not be completed) and unreadable records are
     * passed over (the latter logged), so that neither hides the verdict before them.
     */
    public Map<BackupId, Verification> latest() {
        Map<BackupId, List<ObjectKey>> keys = new HashMap<>();
        for (ObjectInfo info : repository.list(Layout.VERIFICATIONS)) {
            Layout.idOfVerification(info.key()).ifPresent(id -> keys.computeIfAbsent(id, k -> new ArrayList<>()).add(info.key()));
        }
        // One request per record: each backup's records are read newest first, the backups concurrently (bounded).
        List<BackupId> ids = new ArrayList<>(keys.keySet());
        List<Optional<Verification>> verdicts = Bounded.map(ids, Bounded.READS, id -> latestVerdict(keys.get(id)));
        Map<BackupId, Verification> out = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            BackupId id = ids.get(i);
            verdicts.get(i).ifPresent(v -> out.put(id, v));
        }
        return out;
    }

    private Optional<Verification> latestVerdict(List<ObjectKey> ofBackup) {
        List<ObjectKey> newestFirst = new ArrayList<>(ofBackup);
        newestFirst.sort(Comparator.reverseOrder());
        for (ObjectKey key : newestFirst) {
            Optional<Verification> v = read(key).filter(Verification::verdict);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    private Optional<Verification> read(ObjectKey key) {
        try {
            return Optional.of(Verification.fromJson(repository.read(key)));
        } catch (NoSuchObjectException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            LOG.warnf("ignoring unreadable verification record %s: %s", key, e.getMessage());
            return Optional.empty();
        }
    }
}
