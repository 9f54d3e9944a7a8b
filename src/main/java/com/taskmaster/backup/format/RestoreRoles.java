package com.taskmaster.backup.format;

import com.taskmaster.backup.pgarchive.ArchiveRoles;
import com.taskmaster.backup.pgarchive.TocEntry;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.TargetDatabase;
import com.taskmaster.backup.support.Deadline;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The role step of a restore, before anything is touched: the roles the backup's archive names (owners from its table
 * of contents, grantees from its privilege and policy entries: {@link ArchiveRoles}) compared with the target server's.
 * With the default {@link RoleHandling.Mode#RESTORE}, a role missing on the target (after the role map) refuses the
 * restore, listing every missing role and the three ways on; with {@link RoleHandling.Mode#SKIP}, pg_restore runs
 * {@code --no-owner --no-acl} and nothing is checked beyond reporting.
 */
public final class RestoreRoles {
    private final RoleHandling handling;
    private final ArchiveRoles.Named named;
    private final Set<String> missing;

    private RestoreRoles(RoleHandling handling, ArchiveRoles.Named named, Set<String> missing) {
        this.handling = handling;
        this.named = named;
        this.missing = missing;
    }

    /**
     * Checks the backup's roles against the target.
     *
     * @throws RestoreFailedException when roles are missing and the handling does not say what to do about them, or
     *                                a role map names a role the backup does not have or the target lacks; nothing was changed
     */
    public static RestoreRoles check(Manifest m, List<TocEntry> toc, RoleHandling handling, DbCredentials target, Deadline deadline) {
        ArchiveRoles.Named named = ArchiveRoles.of(toc);
        Set<String> unknown = new TreeSet<>(handling.map().keySet());
        unknown.removeAll(named.all());
        if (!unknown.isEmpty()) {
            throw new RestoreFailedException("restore of backup " + m.backupId() + ": the role map names " + unknown
                    + ", which the backup does not (its roles: " + named.all() + "); nothing was changed");
        }
        Set<String> wanted = new TreeSet<>();
        named.all().forEach(r -> wanted.add(handling.target(r)));
        Set<String> missing = TargetDatabase.missingRoles(target, wanted, deadline);
        Set<String> mappedMissing = new TreeSet<>(missing);
        mappedMissing.retainAll(handling.map().values());
        if (!handling.skips() && !mappedMissing.isEmpty()) {
            throw new RestoreFailedException("restore of backup " + m.backupId() + " into " + target.describe()
                    + ": the role map maps to " + mappedMissing + ", which do not exist on the target; nothing was changed");
        }
        if (handling.mode() == RoleHandling.Mode.RESTORE && !missing.isEmpty()) {
            throw new RestoreFailedException("restore of backup " + m.backupId() + " into " + target.describe()
                    + " refused: the backup's objects name roles that do not exist on the target: "
                    + String.join(", ", missing) + "; nothing was changed. Repeat with one of: \"roles\": \"create-missing\" "
                    + "(creates them NOLOGIN from the backup's captured definitions; set their passwords afterwards), "
                    + "\"roleMap\": {\"<role in the backup>\": \"<existing role>\"}, or \"roles\": \"skip\" (restores neither "
                    + "ownership nor privileges: every object will belong to " + target.user() + ")");
        }
        Set<String> policyMissing = new TreeSet<>(named.policyRoles());
        policyMissing.retainAll(missing);
        if (handling.skips() && !policyMissing.isEmpty()) {
            throw new RestoreFailedException("restore of backup " + m.backupId() + " into " + target.describe()
                    + " refused: row-level security policies in the backup name roles that do not exist on the target: "
                    + String.join(", ", policyMissing) + " (skipping ownership and privileges still creates the policies); "
                    + "nothing was changed. Repeat with \"roles\": \"create-missing\" or a \"roleMap\" for them");
        }
        return new RestoreRoles(handling, named, missing);
    }

    /** pg_restore's options for this handling. */
    public List<String> pgRestoreOptions() {
        return handling.skips() ? List.of("--no-owner", "--no-acl") : List.of();
    }

    /** What was done about roles, for the result. */
    public DatabaseRestore.Roles report(DbCredentials target) {
        Map<String, String> mapped = new TreeMap<>(handling.map());
        String note;
        if (handling.skips()) {
            note = "ownership and privileges were not restored (\"roles\": \"skip\": --no-owner --no-acl): every restored "
                    + "object belongs to " + target.user()
                    + (missing.isEmpty() ? "" : "; roles " + missing + " named by the backup do not exist on the target")
                    + (named.privilegeEntries() > 0 ? "; " + named.privilegeEntries()
                    + " GRANT/REVOKE entries were skipped: re-grant what the application needs" : "");
        } else {
            note = "ownership and privileges restored as in the backup" + (mapped.isEmpty() ? "" : ", roles mapped " + mapped);
        }
                return new DatabaseRestore.Roles(handling.mode().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                List.copyOf(named.owners()), List.copyOf(named.grantees()), List.copyOf(missing), mapped, List.of(), named.privilegeEntries(),
                !handling.skips(), handling.skips() ? target.user() : null, note);
    }
}
