package com.taskmaster.backup.format;

import com.taskmaster.backup.pgarchive.ArchiveReader;
import com.taskmaster.backup.pgarchive.ArchiveRoles;
import com.taskmaster.backup.pgarchive.TocEntry;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgProcess;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.support.Deadline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Proof that a restore gave every object the owner and privileges the backup says (role map applied): the restored
 * database is dumped again ({@code pg_dump --schema-only}, custom format, its table of contents read by
 * {@link ArchiveReader}) and compared entry by entry (kind, schema, name) with the backup's own table of contents:
 * every owner, and the SQL of every privilege entry ({@code ACL}, {@code DEFAULT ACL}), which pg_dump derives from the
 * catalogs the same way both times. On a target that held only the backup's objects, privilege entries the backup does
 * not have count as differences too.
 */
final class OwnershipProof {
    private static final Set<String> PRIVILEGES = Set.of("ACL", "DEFAULT ACL");

    private OwnershipProof() {
    }

    /** "owners of N objects and M privilege entries equal the backup's": what was proven. */
    static String prove(PgTools tools, DbCredentials target, List<TocEntry> backup, Map<String, String> map, boolean onlyBackupObjects,
                        Deadline deadline) throws IOException {
        List<TocEntry> restored = dumpToc(tools, target, deadline);
        Map<String, String> expected = index(backup, map);
        Map<String, String> actual = index(restored, Map.of());
        List<String> differences = differences(expected, actual, onlyBackupObjects);
        if (!differences.isEmpty()) {
            throw new RestoreFailedException("owners or privileges of the restored database differ from the backup's: "
                    + String.join("; ", differences.subList(0, Math.min(20, differences.size())))
                    + (differences.size() > 20 ? "; and " + (differences.size() - 20) + " more" : ""));
        }
        long owners = expected.keySet().stream().filter(k -> k.startsWith("owner ")).count();
        long privileges = expected.size() - owners;
        return "owners of " + owners + " objects and " + privileges + " privilege entries equal the backup's"
                + (map.isEmpty() ? "" : " (roles mapped)") + " (pg_dump --schema-only of the restored database)";
    }

    /** Entries by "owner KIND schema.name" (the owner) and "KIND schema.name" of privilege entries (their SQL). */
    static Map<String, String> index(List<TocEntry> toc, Map<String, String> map) {
        Map<String, String> out = new TreeMap<>();
        for (TocEntry e : toc) {
            String name = e.desc() + " " + e.displayName();
            if (PRIVILEGES.contains(e.desc())) {
                out.put(name, e.defn() == null ? "" : canonical(e.defn(), map));
            } else if (e.owner() != null && !e.owner().isEmpty()) {
                out.put("owner " + name, map.getOrDefault(e.owner(), e.owner()));
            }
        }
        return out;
    }

    /** Privilege SQL with every role mapped and quoted, so that pg_dump's bare {@code app} equals a mapped {@code "app"}. */
    private static String canonical(String sql, Map<String, String> map) {
        Map<String, String> all = new TreeMap<>();
        ArchiveRoles.rolesIn(sql).forEach(r -> all.put(r, map.getOrDefault(r, r)));
        return ArchiveRoles.rename(sql, all);
    }

    static List<String> differences(Map<String, String> expected, Map<String, String> actual, boolean onlyBackupObjects) {
        List<String> out = new ArrayList<>();
        expected.forEach((k, v) -> {
            String got = actual.get(k);
            if (k.startsWith("owner ")) {
                if (got != null && !got.equals(v)) {
                    out.add(k.substring(6) + " is owned by " + got + ", in the backup by " + v);
                }
            } else if (got == null) {
                out.add(k + " (" + v.strip() + ") is missing");
            } else if (!got.equals(v)) {
                out.add(k + " is " + got.strip() + ", in the backup " + v.strip());
            }
        });
        if (onlyBackupObjects) {
            actual.forEach((k, v) -> {
                if (!k.startsWith("owner ") && !expected.containsKey(k)) {
                    out.add(k + " (" + v.strip() + ") is not in the backup");
                }
            });
        }
        return out;
    }

    private static List<TocEntry> dumpToc(PgTools tools, DbCredentials target, Deadline deadline) throws IOException {
        try (PgProcess dump = PgProcess.start(tools, "pg_dump", List.of("--schema-only", "--format=custom", "--compress=0",
                "--no-password"), target);
             Deadline.Watch watch = deadline.watch("ownership-proof", () -> dump.kill(deadline.stopped()))) {
            List<TocEntry> toc;
            try (InputStream in = dump.stdout()) {
                toc = ArchiveReader.open(in).toc();
                in.transferTo(OutputStream.nullOutputStream());
            }
            int exit = dump.waitFor(Math.max(1, deadline.isNone() ? 3600 : deadline.millisLeft() / 1000), TimeUnit.SECONDS);
            if (watch.fired()) {
                throw deadline.exceeded("checking the restored owners and privileges (pg_dump --schema-only)");
            }
            if (exit != 0) {
                throw new IOException(dump.failure(exit));
            }
            return toc;
        }
    }
}
