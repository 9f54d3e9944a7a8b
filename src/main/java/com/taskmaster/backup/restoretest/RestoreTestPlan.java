package com.taskmaster.backup.restoretest;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.support.InvalidRequestException;
import com.taskmaster.backup.support.RandomIds;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a restore-test run will do, decided before anything is touched: which backup (the requested one, else the
 * newest whose latest verification passed, else the newest, marked unverified), and the scratch database's name.
 */
public record RestoreTestPlan(Manifest backup, boolean verified, String scratchDatabase, String server) {
    public static final String SCRATCH_PREFIX = "tmb_restore_test_";
    private static final Pattern SCRATCH = Pattern.compile(SCRATCH_PREFIX + "(\\d{8}t\\d{6})_[a-z0-9]{4}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    /**
     * @param newestFirst the complete backups, newest first
     * @param server      the restore-test server (its maintenance database)
     * @param sources     the databases that must never be the restore-test database: BACKUP_DB_*, and the backup's own
     * @throws InvalidRequestException  for an unknown requested backup or an empty repository
     * @throws RestoreTestFailedException when the restore-test server is the source database
     */
    public static RestoreTestPlan plan(List<Manifest> newestFirst, Map<BackupId, Verification> latest, Optional<BackupId> requested,
                                       DbCredentials server, List<DbCredentials> sources, Instant now) {
        Manifest backup;
        boolean verified;
        if (requested.isPresent()) {
            backup = newestFirst.stream().filter(m -> m.backupId().equals(requested.get())).findFirst()
                    .orElseThrow(() -> new InvalidRequestException("no backup " + requested.get()
                            + " in the repository (no manifest); nothing was done"));
        } else if (newestFirst.isEmpty()) {
            throw new InvalidRequestException("the repository has no backups: nothing to restore-test");
        } else {
            backup = newestFirst.stream().filter(m -> latest.containsKey(m.backupId()) && latest.get(m.backupId()).passed())
                    .findFirst().orElse(newestFirst.get(0));
        }
        verified = latest.containsKey(backup.backupId()) && latest.get(backup.backupId()).passed();
        Manifest.Database db = backup.database();
        List<String[]> forbidden = new java.util.ArrayList<>(sources.stream()
                .map(s -> new String[] {s.host(), Integer.toString(s.port()), s.database()}).toList());
        forbidden.add(new String[] {db.host(), Integer.toString(db.port()), db.name()});
        for (String[] f : forbidden) {
            if (f[0] != null && sameServer(server.host(), server.port(), f[0], Integer.parseInt(f[1])) && server.database().equals(f[2])) {
                throw new RestoreTestFailedException("refusing to restore-test into " + server.describe()
                        + ": it is the source database (" + f[0] + ":" + f[1] + "/" + f[2] + "); point RESTORE_TEST_DB_URL or "
                        + "RESTORE_TEST_DB_SECRET_ARN at a separate server's maintenance database (e.g. postgres)");
            }
        }
        String scratch = SCRATCH_PREFIX + STAMP.format(now).toLowerCase() + "_" + RandomIds.suffix(4);
        return new RestoreTestPlan(backup, verified, scratch, server.host() + ":" + server.port());
    }

    /** Same port, and the same host name (ignoring case) or addresses in common. */
    static boolean sameServer(String hostA, int portA, String hostB, int portB) {
        if (portA != portB) {
            return false;
        }
        if (hostA.equalsIgnoreCase(hostB)) {
            return true;
        }
        try {
            Set<InetAddress> a = Set.of(InetAddress.getAllByName(hostA));
            return Arrays.stream(InetAddress.getAllByName(hostB)).anyMatch(a::contains);
        } catch (UnknownHostException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Scratch databases a crashed run left behind: ours by name, and created more than a day before {@code now}. */
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
