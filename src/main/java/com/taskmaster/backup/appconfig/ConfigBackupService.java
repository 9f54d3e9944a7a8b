package com.taskmaster.backup.appconfig;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.ConfigManifest;
import com.taskmaster.backup.repository.AppendOnlyRepository;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * config-backup: reads the live configuration, compares it with the newest snapshot (decrypted: the manifest holds no
 * digest of the plaintext), and writes a new snapshot only when something changed; the result names what drifted
 * (names only). Every run also compares the live configuration with the declared baseline, when the repository has one
 * ({@link ConfigBaseline}); a baseline that cannot be used is reported, and the snapshot is taken all the same.
 */
public final class ConfigBackupService {
    private static final Logger LOG = Logger.getLogger(ConfigBackupService.class);
    private final AppendOnlyRepository repository;
    private final ConfigStore store;
    private final LiveConfig live;
    private final SecretNames secretNames;
    private final Clock clock;

    public ConfigBackupService(AppendOnlyRepository repository, ConfigStore store, LiveConfig live, SecretNames secretNames, Clock clock) {
        this.repository = repository;
        this.store = store;
        this.live = live;
        this.secretNames = secretNames;
        this.clock = clock;
    }

    /** {@code cause}: {@code schedule}, {@code change-event} or {@code manual}, recorded in the manifest. */
    public ConfigBackupResult run(String cause, String requestId) {
        Instant now = clock.instant();
        BackupId id = ConfigStore.newId(now);
        ConfigSnapshot current = live.read(id, now);
        ConfigDrift baselineDrift = null;
        String baselineProblem = null;
        try {
            Optional<ConfigExport.Document> baseline = ConfigBaseline.read(repository);
            if (baseline.isPresent()) {
                baselineDrift = ConfigBaseline.compare(baseline.get(), new ConfigExport(store, secretNames).document(current));
                LOG.infof("declared baseline %s: %s", ConfigBaseline.KEY, baselineDrift.none() ? "live matches it" : baselineDrift.describe());
            }
        } catch (ConfigBaseline.InvalidBaselineException e) {
            baselineProblem = e.getMessage();
            LOG.warn(baselineProblem);
        }
        Optional<ConfigManifest> previous = store.newest();
        String previousProblem = null;
        ConfigDrift drift = ConfigDrift.empty();
        if (previous.isPresent()) {
            try {
                ConfigSnapshot before = store.read(previous.get());
                drift = ConfigDrift.between(before, current);
                if (drift.none()) {
                    LOG.infof("configuration unchanged since snapshot %s: nothing written", previous.get().snapshotId());
                    return new ConfigBackupResult(previous.get().snapshotId().value(), true, previous.get().snapshotId().value(),
                            drift, current.counts(), current.taskDefinitions().size(), null, baselineDrift, baselineProblem,
                            ageSeconds(previous.get(), now));
                }
            } catch (RuntimeException e) {
                // A snapshot that cannot be read must not stop new ones: write this one, and say that drift is unknown.
                previousProblem = "the previous snapshot " + previous.get().snapshotId() + " cannot be read (" + e.getMessage()
                        + "): drift unknown, a new snapshot was written";
                LOG.warn(previousProblem);
            }
        }
        ConfigManifest written = store.write(repository, current, cause, requestId);
        LOG.infof("configuration snapshot %s written: %d parameters, %d secrets, %d functions, %d bytes stored; drift: %s",
                id, written.counts().parameters(), written.counts().secrets(), written.counts().functions(),
                written.data().storedBytes(), drift.describe());
        return new ConfigBackupResult(id.value(), false, previous.map(m -> m.snapshotId().value()).orElse(null), drift,
                written.counts(), current.taskDefinitions().size(), previousProblem, baselineDrift, baselineProblem, 0);
    }

    private static long ageSeconds(ConfigManifest m, Instant now) {
        return Math.max(0, Duration.between(m.takenAt(), now).toSeconds());
    }
}
