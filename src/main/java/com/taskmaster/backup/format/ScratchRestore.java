package com.taskmaster.backup.format;

import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.ServerRoles;
import com.taskmaster.backup.support.Deadline;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The proof every command that restores a backup into a throw-away database shares (restore-test, dr-drill): create a
 * marked scratch database on a separate server, restore into it ({@link DatabaseRestore}: fingerprints proven; owners and
 * privileges restored, the backup's roles the server lacks created NOLOGIN), measure it, run the smoke queries, and in
 * every case drop it, then the roles created for it; then the restore time against the RTO, extrapolated to the
 * source database's size when that is known. Which server is refused (the source's) is decided here too.
 */
public final class ScratchRestore {
    private ScratchRestore() {
    }

    /**
     * What happened in the scratch database: the restore ({@code null} when it failed), its size, the smoke queries'
     * outcomes, every failure in the order met, and whether the database is gone (or never existed).
     */
    public record Outcome(DatabaseRestore.Restored restored, Long restoredDatabaseBytes, List<SmokeQueries.Outcome> smokeQueries,
                          List<String> failures, boolean scratchDropped) {
        public Outcome {
            failures = List.copyOf(failures);
        }
    }

    /**
     * Creates {@code scratchName} on {@code server}, restores {@code backup} into it, measures it and runs the smoke
     * queries; in every case drops it. pg_restore and the smoke queries stop {@link Deadline.Margin#WORK} before the
     * deadline, the checks {@link Deadline.Margin#CHECKS} before it, the drop {@link Deadline.Margin#CLEANUP} before it.
     */
    public static Outcome run(DatabaseRestore restorer, DbCredentials server, Manifest backup, String scratchName,
                              List<String> smokeQueries, Deadline deadline) {
        ScratchDatabases scratch = new ScratchDatabases(server);
        Deadline work = deadline.minus(Deadline.Margin.WORK);
        Deadline checks = deadline.minus(Deadline.Margin.CHECKS);
        List<String> failures = new ArrayList<>();
        DatabaseRestore.Restored restored = null;
        Long bytes = null;
        List<SmokeQueries.Outcome> smoke = null;
        boolean created = false;
        boolean dropped = false;
        List<String> rolesCreated = new ArrayList<>(); // known once pg_restore committed, also when a check after it fails
        try {
            try {
                scratch.create(scratchName, work);
            } catch (Deadline.Exceeded e) {
                created = true; // stopped midway, it may exist: DROP DATABASE IF EXISTS covers both
                throw e;
            }
            created = true;
            DbCredentials target = server.withDatabase(scratchName);
            // The backup's roles the server lacks are created (NOLOGIN) so that owners and privileges are proven too,
            // and dropped below with the scratch database: the server is left as it was found.
            restored = restorer.into(backup, target, RoleHandling.CREATE_MISSING, deadline, rolesCreated::addAll);
            bytes = ScratchDatabases.size(target, checks);
            smoke = SmokeQueries.run(target, smokeQueries, work, checks);
            smoke.stream().filter(o -> !o.passed()).forEach(o -> failures.add(o.failure()));
        } catch (RuntimeException e) {
            failures.add(e.getMessage());
        } finally {
            if (created) {
                try {
                    scratch.drop(scratchName, deadline.minus(Deadline.Margin.CLEANUP));
                    dropped = true;
                } catch (RuntimeException e) {
                    failures.add("scratch database " + scratchName + " could not be dropped (drop it by hand): " + e.getMessage());
                }
            } else {
                dropped = true; // never created
            }
            dropCreatedRoles(server, rolesCreated, dropped, failures, deadline.minus(Deadline.Margin.CLEANUP));
        }
        return new Outcome(restored, bytes, smoke, failures, dropped);
    }

    /**
     * The roles the restore created on the scratch server (the backup's roles it lacked, {@code "create-missing"}),
     * dropped once the scratch database, the only place they own anything, is gone: the server is left as it was found.
     */
    private static void dropCreatedRoles(DbCredentials server, List<String> created, boolean scratchDropped,
                                         List<String> failures, Deadline limit) {
        if (created.isEmpty()) {
            return;
        }
        if (!scratchDropped) {
            failures.add("roles " + created + " created for the restore were not dropped (the scratch database still exists): "
                    + "drop both by hand");
            return;
        }
        try {
            ServerRoles.drop(server, created, limit);
        } catch (RuntimeException e) {
            failures.add("roles " + created + " created for the restore could not be dropped (drop them by hand): " + e.getMessage());
        }
    }

    /**
     * The restore time against the RTO: the estimate is the measured time scaled by (source database size / restored
     * database size) when both are known, else the measured time; {@code failure} says why the RTO would be missed.
     */
    public record Timing(Duration restoreTime, Duration estimate, double throughputMiBps, boolean rtoMet, String failure) {
    }

    public static Timing timing(DatabaseRestore.Restored restored, long plainBytes, Long sourceBytes, Long restoredBytes, Duration rto) {
        Duration restoreTime = Duration.ofMillis(restored.durationMs());
        Duration estimate = sourceBytes != null && restoredBytes != null && restoredBytes > 0
                ? Duration.ofMillis((long) (restoreTime.toMillis() * (double) sourceBytes / restoredBytes))
                : restoreTime;
        boolean rtoMet = restoreTime.compareTo(rto) <= 0 && estimate.compareTo(rto) <= 0;
        String failure = rtoMet ? null : "the RTO of " + rto + " would be missed: restoring took " + restoreTime + ", estimated "
                + estimate + (sourceBytes != null ? " at the source database's current size" : " (the restored backup's size)");
        double mibps = plainBytes / 1048576.0 / Math.max(0.001, restoreTime.toMillis() / 1000.0);
        return new Timing(restoreTime, estimate, mibps, rtoMet, failure);
    }

    /**
     * Why {@code server} must not be used as the scratch server (empty: it may): it is the server of one of
     * {@code sources} or of the backup's own database (host and port, by name or address), or the backup's cluster
     * under another name ({@code serverSystemIdentifier}, null when it cannot be read).
     */
    public static Optional<String> sourceServer(DbCredentials server, String serverSystemIdentifier, Manifest.Database db,
                                                List<DbCredentials> sources) {
        List<String[]> forbidden = new ArrayList<>(sources.stream()
                .map(s -> new String[] {s.host(), Integer.toString(s.port()), s.database()}).toList());
        forbidden.add(new String[] {db.host(), Integer.toString(db.port()), db.name()});
        for (String[] f : forbidden) { // the server, not only the database: scratch copies and drops must never reach it
            if (f[0] != null && sameServer(server.host(), server.port(), f[0], Integer.parseInt(f[1]))) {
                return Optional.of("it is the source database's server (" + f[0] + ":" + f[1] + ", database " + f[2] + ")");
            }
        }
        if (serverSystemIdentifier != null && serverSystemIdentifier.equals(db.systemIdentifier())) {
            return Optional.of("it is the source database's cluster (system identifier " + serverSystemIdentifier
                    + ", the backup's " + db.describe() + ") under another name");
        }
        return Optional.empty();
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
}
