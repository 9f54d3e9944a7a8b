package com.taskmaster.backup.format;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a restore does about the roles a backup names (owners, grantees): by default ({@link Mode#RESTORE}) ownership
 * and privileges are restored exactly, and a target lacking any of those roles is refused before anything is touched.
 * {@code map} renames roles first (old name to a role that exists on the target); {@link Mode#CREATE_MISSING} creates
 * the roles still missing (NOLOGIN, from the backup's captured definitions); {@link Mode#SKIP} restores neither
 * ownership nor privileges ({@code pg_restore --no-owner --no-acl}: every object belongs to the restoring user).
 */
public record RoleHandling(Mode mode, Map<String, String> map) {
    public enum Mode { RESTORE, CREATE_MISSING, SKIP }

    /** The default: ownership and privileges exactly as in the backup, every role must exist. */
    public static final RoleHandling RESTORE = new RoleHandling(Mode.RESTORE, Map.of());
    public static final RoleHandling SKIP = new RoleHandling(Mode.SKIP, Map.of());
    public static final RoleHandling CREATE_MISSING = new RoleHandling(Mode.CREATE_MISSING, Map.of());

    public RoleHandling {
        Objects.requireNonNull(mode, "mode");
        map = map == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(map));
        if (mode == Mode.SKIP && !map.isEmpty()) {
            throw new IllegalArgumentException("a role map cannot be combined with skipping ownership and privileges");
        }
    }

    /** The role a backup's role becomes on the target. */
    public String target(String role) {
        return map.getOrDefault(role, role);
    }

    public boolean skips() {
        return mode == Mode.SKIP;
    }
}
