package com.taskmaster.backup.format;

import com.taskmaster.backup.repository.ObjectKey;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where everything lives in a repository, in one place (docs/FORMAT.md, section 1):
 * <pre>
 *   manifests/&lt;backupId&gt;.json                                  the commit point, one per backup
 *   data/&lt;backupId&gt;.&lt;attempt&gt;.pgdump.zst.esdk               the encrypted, compressed pg_dump archive
 *   data/&lt;backupId&gt;.&lt;attempt&gt;.roles.sql.zst.esdk            its roles (pg_dumpall --globals-only), stored the same way
 *   verifications/&lt;backupId&gt;/&lt;yyyyMMddTHHmmssSSSZ&gt;-&lt;random&gt;.json   one record per verification, never overwritten
 *   reports/restore-test/&lt;yyyyMMddTHHmmssZ&gt;-&lt;backupId&gt;.json|.txt  one report per restore-test run
 *   reports/dr-drill/&lt;yyyyMMddTHHmmssZ&gt;-&lt;backupId|none&gt;.json|.txt  one report per drill (in the replica repository)
 *   audit/prune/&lt;yyyyMMddTHHmmssZ&gt;-&lt;runId&gt;.json                  one audit record per real prune run
 *   reports/readiness/&lt;yyyy-MM-dd&gt;.html and latest.html              the recovery-readiness report (replaced, not kept apart)
 *   config/manifests/&lt;snapshotId&gt;.json                          a configuration snapshot's commit point (FORMAT.md, section 12)
 *   config/data/&lt;snapshotId&gt;.&lt;attempt&gt;.json.zst.esdk         the encrypted, compressed configuration snapshot
 * </pre>
 * Each attempt writes its own data object, so a retried backup never collides with what a crashed attempt left
 * behind; objects without a manifest are leftovers that prune removes. Nothing outside these prefixes is ours.
 */
public final class Layout {
    public static final String MANIFESTS = "manifests/";
    public static final String DATA = "data/";
    public static final String VERIFICATIONS = "verifications/";
    public static final String RESTORE_TEST_REPORTS = "reports/restore-test/";
    public static final String PRUNE_AUDIT = "audit/prune/";
    /** The disaster-recovery drill's reports, in the replica repository (the only prefix the drill may write). */
    public static final String DR_DRILL_REPORTS = "reports/dr-drill/";
    /** The readiness report's prefix: the only place anything is replaced (the report function may write only here). */
    public static final String READINESS_REPORTS = "reports/readiness/";
    public static final ObjectKey READINESS_LATEST = ObjectKey.of(READINESS_REPORTS + "latest.html");
    /** Configuration snapshots (config-backup): a tree of their own, apart from the database backups. */
    public static final String CONFIG = "config/";
    public static final String CONFIG_MANIFESTS = CONFIG + MANIFESTS;
    public static final String CONFIG_DATA = CONFIG + DATA;
    private static final String CONFIG_DATA_SUFFIX = ".json.zst.esdk";
    private static final String MANIFEST_SUFFIX = ".json";
    private static final String CATALOG_INDEX = MANIFESTS + "index-";
    private static final Pattern CATALOG_INDEX_NAME = Pattern.compile("manifests/index-[0-9]{8}T[0-9]{9}Z-[a-z0-9]+\\.json");
    private static final String DATA_SUFFIX = ".pgdump.zst.esdk";
    private static final String ROLES_SUFFIX = ".roles.sql.zst.esdk";
    private static final Pattern ATTEMPT = Pattern.compile("[A-Za-z0-9-]+");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private Layout() {
    }

    public static ObjectKey manifest(BackupId id) {
        return ObjectKey.of(MANIFESTS + id + MANIFEST_SUFFIX);
    }

    public static ObjectKey data(BackupId id, String attempt) {
        return ObjectKey.of(DATA + id + "." + attempt + DATA_SUFFIX);
    }

    /** The roles object of a backup attempt (its manifest's {@code roles.object}). */
    public static ObjectKey roles(BackupId id, String attempt) {
        return ObjectKey.of(DATA + id + "." + attempt + ROLES_SUFFIX);
    }

    /**
     * A catalog index ({@link CatalogIndex}): {@code manifests/index-<written at, ms>-<suffix>.json}. Under
     * {@code manifests/} because only what may write manifests (backup) may write it, and everything that reads
     * manifests may read it; never a manifest ({@link #idOfManifest} is empty for it: a backup id starts with a digit).
     */
    public static ObjectKey catalogIndex(Instant writtenAt, String suffix) {
        return ObjectKey.of(CATALOG_INDEX + MILLIS.format(writtenAt) + "-" + suffix + MANIFEST_SUFFIX);
    }

    /** Whether a key is named like a {@link #catalogIndex}. */
    public static boolean isCatalogIndex(ObjectKey key) {
        return CATALOG_INDEX_NAME.matcher(key.value()).matches();
    }

    /** The backup id a manifest key names, if it is one. */
    public static Optional<BackupId> idOfManifest(ObjectKey key) {
        return idBetween(key, MANIFESTS, MANIFEST_SUFFIX);
    }

    /** {@code <prefix><id><suffix>}: the id, if the key is named so. */
    private static Optional<BackupId> idBetween(ObjectKey key, String prefix, String suffix) {
        String v = key.value();
        if (!v.startsWith(prefix) || !v.endsWith(suffix)) {
            return Optional.empty();
        }
        return parse(v.substring(prefix.length(), v.length() - suffix.length()));
    }

    /**
     * The backup id of a data object key as {@link #data} or {@link #roles} names it; empty for anything else (never a
     * leftover of ours).
     */
    public static Optional<BackupId> idOfData(ObjectKey key) {
        return idWithAttempt(key, DATA, DATA_SUFFIX).or(() -> idWithAttempt(key, DATA, ROLES_SUFFIX));
    }

    /** {@code <prefix><id>.<attempt><suffix>}: the id, if the key is named so. */
    private static Optional<BackupId> idWithAttempt(ObjectKey key, String prefix, String suffix) {
        String v = key.value();
        if (!v.startsWith(prefix) || !v.endsWith(suffix)) {
            return Optional.empty();
        }
        String idAndAttempt = v.substring(prefix.length(), v.length() - suffix.length());
        int dot = idAndAttempt.indexOf('.');
        if (dot < 0 || !ATTEMPT.matcher(idAndAttempt.substring(dot + 1)).matches()) {
            return Optional.empty();
        }
        return parse(idAndAttempt.substring(0, dot));
    }

    /** Whether {@code dataKey} (as a manifest names it) is one of this backup's own data objects. */
    public static boolean isDataOf(BackupId id, String dataKey) {
        return dataKey.startsWith(DATA + id + ".");
    }

    /**
     * The backup id a data or manifest key starts with ({@code data/<id>.<attempt>...}, {@code manifests/<id>.json}),
     * for writes still pending, whose keys are those of the objects they will become.
     */
    public static Optional<BackupId> idIn(ObjectKey key) {
        String name = key.name();
        int dot = name.indexOf('.');
        return parse(dot < 0 ? name : name.substring(0, dot));
    }

    /** A configuration snapshot's manifest, the commit point. */
    public static ObjectKey configManifest(BackupId id) {
        return ObjectKey.of(CONFIG_MANIFESTS + id + MANIFEST_SUFFIX);
    }

    /** A configuration snapshot's data object; each attempt its own, as for backups. */
    public static ObjectKey configData(BackupId id, String attempt) {
        return ObjectKey.of(CONFIG_DATA + id + "." + attempt + CONFIG_DATA_SUFFIX);
    }

    /** The snapshot id a configuration manifest key names, if it is one. */
    public static Optional<BackupId> idOfConfigManifest(ObjectKey key) {
        return idBetween(key, CONFIG_MANIFESTS, MANIFEST_SUFFIX);
    }

    /** The snapshot id of a configuration data object key as {@link #configData} names it; empty for anything else. */
    public static Optional<BackupId> idOfConfigData(ObjectKey key) {
        return idWithAttempt(key, CONFIG_DATA, CONFIG_DATA_SUFFIX);
    }

    /** A verification record of {@code id}: keys sort by time within a backup, {@code suffix} keeps them apart. */
    public static ObjectKey verification(BackupId id, Instant verifiedAt, String suffix) {
        return ObjectKey.of(VERIFICATIONS + id + "/" + MILLIS.format(verifiedAt) + "-" + suffix + ".json");
    }

    /** The backup a verification record belongs to, if the key is one. */
    public static Optional<BackupId> idOfVerification(ObjectKey key) {
        String v = key.value();
        if (!v.startsWith(VERIFICATIONS)) {
            return Optional.empty();
        }
        String rest = v.substring(VERIFICATIONS.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? Optional.empty() : parse(rest.substring(0, slash));
    }

    /** The records of one backup's verifications. */
    public static String verificationsOf(BackupId id) {
        return VERIFICATIONS + id + "/";
    }

    /** A restore-test report, {@code extension} {@code json} (the report) or {@code txt} (its summary for people). */
    public static ObjectKey restoreTestReport(Instant started, BackupId id, String extension) {
        return ObjectKey.of(RESTORE_TEST_REPORTS + SECONDS.format(started) + "-" + id + "." + extension);
    }

    /** A dr-drill report ({@code json} or {@code txt}); {@code id} null when no replicated backup was found ("none"). */
    public static ObjectKey drDrillReport(Instant started, BackupId id, String extension) {
        return ObjectKey.of(DR_DRILL_REPORTS + SECONDS.format(started) + "-" + (id == null ? "none" : id.toString()) + "." + extension);
    }

    /** The audit record of one real prune run. */
    public static ObjectKey pruneAudit(Instant now, String runId) {
        return ObjectKey.of(PRUNE_AUDIT + SECONDS.format(now) + "-" + runId + ".json");
    }

    /** The readiness report of one UTC day (a second run that day replaces it). */
    public static ObjectKey readinessReport(Instant now) {
        return ObjectKey.of(READINESS_REPORTS + DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(now) + ".html");
    }

    private static Optional<BackupId> parse(String id) {
        try {
            return Optional.of(BackupId.parse(id));
        } catch (IllegalArgumentException | DateTimeException e) {
            return Optional.empty();
        }
    }
}
