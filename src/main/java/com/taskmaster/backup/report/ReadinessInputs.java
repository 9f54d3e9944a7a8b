package com.taskmaster.backup.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.report.ReadinessInput.Backup;
import com.taskmaster.backup.report.ReadinessInput.PruneEntry;
import com.taskmaster.backup.report.ReadinessInput.PruneRun;
import com.taskmaster.backup.report.ReadinessInput.RestoreTest;
import com.taskmaster.backup.report.ReadinessInput.Settings;
import com.taskmaster.backup.report.ReadinessInput.TableCheck;
import com.taskmaster.backup.report.ReadinessInput.Verification;
import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ReadableRepository;
import com.taskmaster.backup.support.Json;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads a repository into a {@link ReadinessInput}: manifests (the catalog), verification records, restore-test
 * reports ({@link Layout#RESTORE_TEST_REPORTS}) and prune audit records ({@link Layout#PRUNE_AUDIT}). Each object is
 * read by one of {@link #READERS} threads and turned into the report's small values at once, so a year of hourly
 * backups (some 13,000 small objects) neither waits on one request at a time nor holds whole manifests.
 *
 * <p>Restore-test reports and prune audit records are read as JSON trees of the fields the page needs (their
 * writers are other commands). Records that cannot be read are skipped and named in {@link Read#unreadable()}.
 * What the stored records do not hold is left unknown, never made up: peak memory and /tmp (not recorded by any run);
 * a restore test's per-table rows are the restored backup's manifest counts when the test passed with its row counts
 * proven equal (the restore fails otherwise), and "not recorded" when it failed or the manifest is gone.
 */
public final class ReadinessInputs {
    /** Concurrent reads: S3 GETs of small objects are latency-bound. */
    public static final int READERS = 8;

    private final ReadableRepository repository;

    public ReadinessInputs(ReadableRepository repository) {
        this.repository = repository;
    }

    /** The input, and the keys that could not be read (with why). */
    public record Read(ReadinessInput input, List<String> unreadable) {
    }

    /**
     * @param settings       RPO, RTO, limits; an hourly-backup schedule is added when backups of the last week are hourly
     * @param replica        the replica repository's URI, or null when none is configured
     * @param databaseName   the database, when the backups do not name one yet (a new repository); may be null
     */
    public Read read(Settings settings, String replica, String databaseName, Instant now) {
        List<String> unreadable = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(READERS, r -> {
            Thread t = new Thread(r, "readiness-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<RestoreTest> stored = readAll(pool, keys(Layout.RESTORE_TEST_REPORTS, ".json"), unreadable, (key, json) -> restoreTest(json));
            Set<String> restored = new HashSet<>();
            stored.stream().reduce((a, b) -> b.startedAt().isAfter(a.startedAt()) ? b : a)
                    .ifPresent(last -> restored.add(last.backupId()));
            List<ObjectKey> manifestKeys = repository.list(Layout.MANIFESTS).stream().map(ObjectInfo::key)
                    .filter(k -> Layout.idOfManifest(k).isPresent()).toList();
            List<ManifestValues> manifests = readAll(pool, manifestKeys, unreadable, (key, json) -> ManifestValues.of(key, Manifest.fromJson(json), restored));
            List<Verification> verifications = readAll(pool, keys(Layout.VERIFICATIONS, ".json"), unreadable, (key, json) -> verification(json));
            List<StoredPrune> prunes = readAll(pool, keys(Layout.PRUNE_AUDIT, ".json"), unreadable, (key, json) -> pruneRun(json));
            List<PruneRun> pruneRuns = prunes.stream().map(StoredPrune::run).toList();
            Map<String, ManifestValues> byId = new LinkedHashMap<>();
            manifests.forEach(m -> byId.put(m.backup().id(), m));
            List<Backup> backups = new ArrayList<>(manifests.stream().map(ManifestValues::backup).toList());
            backups.addAll(deleted(prunes, byId.keySet()));
            List<RestoreTest> tests = stored.stream().map(t -> withTables(t, byId.get(t.backupId()))).toList();
            String database = manifests.stream().max(java.util.Comparator.comparing(m -> m.backup().takenAt()))
                    .map(ManifestValues::database).orElse(databaseName);
            Settings withSchedules = hourly(backups, now) && settings.schedules().stream().noneMatch(s -> s.period() == ReadinessInput.Schedule.Period.HOUR)
                    ? settings.withSchedules(withHourly(settings.schedules())) : settings;
            ReadinessInput partial = new ReadinessInput(database, repository.uri(), withSchedules, backups, verifications, tests,
                    pruneRuns, null, List.of(), null);
            StorageEstimate estimate = new StorageEstimate(StorageEstimate.template().archiveAfter(),
                    StorageEstimate.template().noncurrentKept(), replica == null ? null : StorageEstimate.template().replicaKept());
            Instant from = now.atZone(java.time.ZoneOffset.UTC).minusMonths(Readiness.WINDOW_MONTHS).toInstant();
            ReadinessInput input = new ReadinessInput(database, repository.uri(), withSchedules, backups, verifications, tests, pruneRuns,
                    ReadinessInput.Replica.fromRun(replica, Readiness.lastVerificationRun(partial)),
                    estimate.daily(backups, from, now), estimate.note());
            return new Read(input, List.copyOf(unreadable));
        } finally {
            pool.shutdownNow();
        }
    }

    private List<ObjectKey> keys(String prefix, String suffix) {
        return repository.list(prefix).stream().map(ObjectInfo::key).filter(k -> k.value().endsWith(suffix)).toList();
    }

    /** A stored record parser: may throw anything for a record that is not what it should be. */
    private interface Parser<T> {
        T parse(ObjectKey key, byte[] json) throws Exception;
    }

    private <T> List<T> readAll(ExecutorService pool, List<ObjectKey> keys, List<String> unreadable, Parser<T> parser) {
        List<Future<Optional<T>>> futures = new ArrayList<>(keys.size());
        for (ObjectKey key : keys) {
            futures.add(pool.submit(() -> {
                try {
                    return Optional.of(parser.parse(key, repository.read(key)));
                } catch (NoSuchObjectException e) {
                    return Optional.<T>empty(); // removed between listing and reading (prune)
                } catch (Exception e) {
                    unreadable.add(key + ": " + e.getMessage());
                    return Optional.<T>empty();
                }
            }));
        }
        List<T> out = new ArrayList<>(keys.size());
        try {
            for (Future<Optional<T>> f : futures) {
                f.get().ifPresent(out::add);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the repository", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        return out;
    }

    /** What the report keeps of a manifest: the backup's figures, and table rows only for the last restore-tested backup. */
    private record ManifestValues(Backup backup, String database, List<TableFingerprint> tables) {
        static ManifestValues of(ObjectKey key, Manifest m, Set<String> keepTables) {
            if (!Layout.idOfManifest(key).orElseThrow().equals(m.backupId())) {
                throw new IllegalArgumentException("names backup " + m.backupId());
            }
            String id = m.backupId().value();
            Backup b = new Backup(id, m.startedAt(), ReadinessInput.scheduleOf(id), m.data().plainBytes(), m.data().storedBytes(),
                    Duration.between(m.startedAt(), m.finishedAt()), m.tables().size(), m.label(), null, null, null);
            return new ManifestValues(b, m.database().name(), keepTables.contains(id) ? m.tables() : List.of());
        }
    }

    private static Verification verification(byte[] json) throws java.io.IOException {
        com.taskmaster.backup.format.Verification v = com.taskmaster.backup.format.Verification.fromJson(json);
        // verify records "not configured" when it has no replica to check: no replica state at all
        String replica = v.replica() == null || v.replica().equals("not configured") ? null : v.replica();
        return new Verification(v.backupId().value(), v.verifiedAt(), v.outcome().name(), v.reason(), replica, v.durationMs(), v.requestId());
    }

    /** The per-table rows of a restore test that proved them (class comment), from its backup's manifest. */
    private static RestoreTest withTables(RestoreTest t, ManifestValues manifest) {
        if (manifest == null || manifest.tables().isEmpty() || !t.passed() || !Boolean.TRUE.equals(t.fingerprintsEqual())) {
            return t;
        }
        List<TableCheck> tables = manifest.tables().stream().map(f -> new TableCheck(f.schema(), f.name(), f.rows(), f.rows(), true)).toList();
        return new RestoreTest(t.startedAt(), t.backupId(), t.passed(), t.failures(), t.restore(), t.estimatedFull(), t.plainBytes(),
                t.fingerprintsEqual(), tables, t.peakMemoryBytes(), t.tmpBytes());
    }

    private static RestoreTest restoreTest(byte[] json) throws java.io.IOException {
        JsonNode n = Json.MAPPER.readTree(json);
        List<String> failures = texts(n.get("failures"));
        String outcome = required(n, "outcome").asText();
        Long restoreMs = longOrNull(n.get("restoreMs"));
        String estimated = textOrNull(n.get("estimatedFullRestore"));
        JsonNode equal = n.get("fingerprintsEqual");
        return new RestoreTest(Instant.parse(required(n, "startedAt").asText()), required(n, "backupId").asText(),
                outcome.equals("passed") && failures.isEmpty(), failures, restoreMs == null ? null : Duration.ofMillis(restoreMs),
                estimated == null ? null : Duration.parse(estimated), longOrNull(n.get("plainBytes")),
                equal == null || equal.isNull() ? null : equal.asBoolean(), List.of(), null, null);
    }

    /** A prune run, and the plain size and duration of each backup it deleted where its record keeps them. */
    private record StoredPrune(PruneRun run, Map<String, Figures> deleted) {
    }

    private record Figures(Long plainBytes, Duration duration) {
    }

    private static StoredPrune pruneRun(byte[] json) throws java.io.IOException {
        JsonNode n = Json.MAPPER.readTree(json);
        Map<String, Figures> figures = new HashMap<>();
        for (JsonNode e : n.path("deleted")) {
            Long plain = longOrNull(e.get("plainBytes"));
            Long ms = longOrNull(e.get("durationMs"));
            figures.put(e.path("backupId").asText(), new Figures(plain, ms == null ? null : Duration.ofMillis(ms)));
        }
        return new StoredPrune(new PruneRun(Instant.parse(required(n, "now").asText()), n.path("dryRun").asBoolean(false),
                texts(n.get("interlocks")), entries(n.get("kept")), entries(n.get("deleted"))), figures);
    }

    private static List<PruneEntry> entries(JsonNode array) {
        List<PruneEntry> out = new ArrayList<>();
        if (array != null) {
            for (JsonNode e : array) {
                out.add(new PruneEntry(required(e, "backupId").asText(), Instant.parse(required(e, "createdAt").asText()),
                        e.path("storedBytes").asLong(0), textOrNull(e.get("label")), texts(e.get("reasons"))));

            }
        }
        return out;
    }

    /**
     * Backups prune deleted (by real runs) that no manifest holds any longer: known by id, time and stored size, and by
     * plain size and duration where the audit record keeps them (records written before it did do not).
     */
    private static List<Backup> deleted(List<StoredPrune> runs, Set<String> present) {
        Map<String, Backup> out = new HashMap<>();
        for (StoredPrune stored : runs) {
            PruneRun run = stored.run();
            if (run.dryRun()) {
                continue;
            }
            for (PruneEntry e : run.deleted()) {
                if (!present.contains(e.backupId())) {
                    Figures f = stored.deleted().getOrDefault(e.backupId(), new Figures(null, null));
                    Backup b = new Backup(e.backupId(), e.takenAt(), ReadinessInput.scheduleOf(e.backupId()), f.plainBytes(), e.storedBytes(),
                            f.duration(), null, e.label(), null, null, run.at());
                    out.merge(e.backupId(), b, (x, y) -> x.deletedAt().isBefore(y.deletedAt()) ? x : y);
                }
            }
        }
        return List.copyOf(out.values());
    }

    /** Whether the backups of the week before now include hourly ones. */
    private static boolean hourly(List<Backup> backups, Instant now) {
        Instant since = now.minus(Duration.ofDays(7));
        return backups.stream().anyMatch(b -> b.schedule().equals("hourly") && b.takenAt().isAfter(since));
    }

    private static List<ReadinessInput.Schedule> withHourly(List<ReadinessInput.Schedule> schedules) {
        List<ReadinessInput.Schedule> out = new ArrayList<>(schedules);
        out.add(1, ReadinessInput.Schedule.hourlyBackup());
        return out;
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("no " + field);
        }
        return v;
    }

    private static String textOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static Long longOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asLong();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(v -> out.add(v.asText()));
        }
        return out;
    }
}
