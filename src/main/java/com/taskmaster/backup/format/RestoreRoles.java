package com.taskmaster.backup.format;

import com.taskmaster.backup.pgarchive.ArchiveRoles;
import com.taskmaster.backup.pgarchive.TocEntry;
import com.taskmaster.backup.pgarchive.TocRewriter;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.ServerRoles;
import com.taskmaster.backup.postgres.TargetDatabase;
import com.taskmaster.backup.support.Deadline;

import java.io.IOException;
import java.io.InputStream;
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
 * {@code --no-owner --no-acl} and nothing is checked beyond reporting; with {@link RoleHandling.Mode#CREATE_MISSING}
 * the missing roles are created before pg_restore ({@link #createMissing}) and dropped again if it fails ({@link #undo}).
 */
public final class RestoreRoles {
    private final RoleHandling handling;
    private final ArchiveRoles.Named named;
    private final Set<String> missing;
    private RoleDefinitions.Creation creation;
    private boolean fromCapturedDefinitions;

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

    /**
     * With {@code "roles": "create-missing"}, creates the missing roles (NOLOGIN, attributes and memberships from the
     * backup's captured definitions, {@link RoleDefinitions}) in one transaction, before pg_restore; otherwise nothing.
     *
     * @param definitions the backup's roles object, read only when roles are to be created (empty when the backup has none)
     */
    public void createMissing(DbCredentials target, java.util.function.Supplier<java.util.Optional<RoleDefinitions>> definitions,
                              Deadline deadline) {
        if (handling.mode() != RoleHandling.Mode.CREATE_MISSING || missing.isEmpty()) {
            return;
        }
        java.util.Optional<RoleDefinitions> captured = definitions.get();
        fromCapturedDefinitions = captured.isPresent();
        Set<String> existing = new TreeSet<>(named.all());
        existing.removeAll(missing);
        creation = captured.orElse(RoleDefinitions.none()).creating(missing, existing);
        ServerRoles.create(target, creation.statements(), deadline);
    }

    /** After a failed restore: drops the roles this step created (they own nothing: the restore was rolled back). */
    public String undo(DbCredentials target, Deadline deadline) {
        if (creation == null) {
            return "";
        }
        try {
            ServerRoles.drop(target, missing, deadline);
            return "; the roles created for it (" + String.join(", ", missing) + ") were dropped again";
        } catch (RuntimeException e) {
            return "; the roles created for it (" + String.join(", ", missing) + ") could not be dropped (drop them by hand): "
                    + e.getMessage();
        }
    }

    /** The roles this step created (empty unless create-missing created some). */
    public List<String> created() {
        return creation == null ? List.of() : List.copyOf(missing);
    }

    /**
     * The archive pg_restore reads: with a role map, its owners and the roles in its privileges and policies renamed
     * ({@link TocRewriter}); otherwise as stored.
     */
    public InputStream archive(InputStream plain) throws IOException {
        return handling.map().isEmpty() ? plain : TocRewriter.renameRoles(plain, handling.map());
    }

    /** pg_restore's options for this handling. */
    public List<String> pgRestoreOptions() {
        return handling.skips() ? List.of("--no-owner", "--no-acl") : List.of();
    }

    /** What was done about roles, for the result; {@code proven}: what {@link OwnershipProof} proved (null with skip). */
    public DatabaseRestore.Roles report(DbCredentials target, String proven) {
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
        if (creation != null) {
            note += "; roles created NOLOGIN " + (fromCapturedDefinitions ? "from the backup's captured definitions"
                    : "without attributes or memberships (the backup has no roles object: it was taken before roles were captured)")
                    + ": " + String.join(", ", missing) + " (give those that log in a password: ALTER ROLE ... LOGIN PASSWORD ...)"
                    + (creation.memberships().isEmpty() ? "" : "; memberships granted: " + String.join(", ", creation.memberships()))
                    + (creation.withheld().isEmpty() ? "" : "; attributes withheld (grant them deliberately if needed): "
                    + creation.withheld());
        }
                return new DatabaseRestore.Roles(handling.mode().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                List.copyOf(named.owners()), List.copyOf(named.grantees()), List.copyOf(missing), mapped, created(), named.privilegeEntries(),
                !handling.skips(), handling.skips() ? target.user() : null, proven, note);
    }
}
