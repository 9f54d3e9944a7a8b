package com.taskmaster.backup.restoretest;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.ScratchDatabases;
import com.taskmaster.backup.format.ScratchRestore;
import com.taskmaster.backup.format.Sources;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.support.InvalidRequestException;
import com.taskmaster.backup.support.RandomIds;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a restore-test run will do, decided before anything is touched: which backup (the requested one, else the
 * newest whose latest verification passed, else the newest, marked unverified; of the configured source database when
 * the repository mixes several), and the scratch database's name.
 */
public record RestoreTestPlan(Manifest backup, boolean verified, String scratchDatabase, String server) {
    public static final String SCRATCH_PREFIX = "tmb_restore_test_";
    private static final Pattern SCRATCH = Pattern.compile(SCRATCH_PREFIX + "(\\d{8}t\\d{6})_[a-z0-9]{4}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    /**
     * @param newestFirst the complete backups, newest first
     * @param server      the restore-test server (its maintenance database)
     * @param serverSystemIdentifier the restore-test server's system identifier, null when it cannot be read
     * @param sources     the databases whose servers must never be the restore-test server: BACKUP_DB_*, and the backup's own
     * @throws InvalidRequestException  for an unknown requested backup or an empty repository
     * @throws RestoreTestFailedException when the restore-test server is the source database's server (host and port by
     *                                    name or address, or the backup's system identifier)
     */
    public static RestoreTestPlan plan(List<Manifest> newestFirst, Map<BackupId, Verification> latest, Optional<BackupId> requested,
                                       DbCredentials server, String serverSystemIdentifier, List<DbCredentials> sources, Instant now) {
        Manifest backup;
        boolean verified;
        if (requested.isPresent()) {
            backup = newestFirst.stream().filter(m -> m.backupId().equals(requested.get())).findFirst()
                    .orElseThrow(() -> new InvalidRequestException("no backup " + requested.get()
                            + " in the repository (no manifest); nothing was done"));
        } else if (newestFirst.isEmpty()) {
            throw new InvalidRequestException("the repository has no backups: nothing to restore-test");
        } else {
            List<Manifest> candidates = ofTheSource(newestFirst, sources);
            backup = candidates.stream().filter(m -> latest.containsKey(m.backupId()) && latest.get(m.backupId()).passed())
                    .findFirst().orElse(candidates.get(0));
        }
        verified = latest.containsKey(backup.backupId()) && latest.get(backup.backupId()).passed();
        ScratchRestore.sourceServer(server, serverSystemIdentifier, backup.database(), sources).ifPresent(why -> {
            throw refused(server, why);
        });
        String scratch = SCRATCH_PREFIX + STAMP.format(now).toLowerCase() + "_" + RandomIds.suffix(4);
        return new RestoreTestPlan(backup, verified, scratch, server.host() + ":" + server.port());
    }

    /**
     * The backups to choose from, newest first: all of them when the repository holds one database's backups (as backup
     * ensures), else those of the configured source database (BACKUP_DB_*: same name, host and port). A repository that
     * mixes databases (written before backup refused that) with no configured source among them is refused: the
     * monthly test would otherwise prove whichever database backed up last, and never the other.
     */
    static List<Manifest> ofTheSource(List<Manifest> newestFirst, List<DbCredentials> sources) {
        List<List<Manifest>> groups = Sources.groups(newestFirst);
        if (groups.size() == 1) {
            return groups.get(0);
        }
        List<List<Manifest>> configured = groups.stream().filter(g -> sources.stream().anyMatch(s -> g.stream()
                .anyMatch(m -> isOf(m.database(), s)))).toList();
        if (configured.size() == 1) {
            return configured.get(0);
        }
        throw new InvalidRequestException("the repository holds backups of " + groups.size() + " databases ("
                + groups.stream().map(g -> g.get(0).database().describe() + ", newest " + g.get(0).backupId())
                .collect(Collectors.joining("; ")) + ") and " + (configured.isEmpty()
                ? "none of them is the configured source database (BACKUP_DB_URL or BACKUP_DB_SECRET_ARN)"
                : "several match the configured source database") + ": name the backup to test with 'backupId' (the list"
                + " function shows them), or give each database its own repository or BACKUP_NAMESPACE; nothing was done");
    }

    private static boolean isOf(Manifest.Database db, DbCredentials source) {
        return db.name().equals(source.database()) && db.host() != null && db.host().equalsIgnoreCase(source.host())
                && db.port() == source.port();
    }

    private static RestoreTestFailedException refused(DbCredentials server, String why) {
        return new RestoreTestFailedException("refusing to restore-test on " + server.describe() + ": " + why
                + "; point RESTORE_TEST_DB_URL or RESTORE_TEST_DB_SECRET_ARN at a separate server's maintenance database"
                + " (e.g. postgres); nothing was created");
    }

    /**
     * Scratch databases a crashed run left behind: among {@code databases} (those carrying the marker
     * {@link ScratchDatabases} writes), ours by name too, and created more than a day before {@code now}.
     */
    static List<String> leftovers(List<String> databases, Instant now) {
        return databases.stream().filter(name -> {
            Matcher m = SCRATCH.matcher(name);
            if (!m.matches()) {
                return false;
            }
            Instant created = Instant.from(STAMP.parse(m.group(1).toUpperCase()));
            return created.isBefore(now.minusSeconds(86_400));
        }).sorted().collect(Collectors.toList());
    }
}
