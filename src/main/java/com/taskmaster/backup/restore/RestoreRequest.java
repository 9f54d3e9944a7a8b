package com.taskmaster.backup.restore;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.RoleHandling;
import com.taskmaster.backup.format.Sources;
import com.taskmaster.backup.support.InvalidRequestException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated restore request: {@code {"backupId": "...", "target": "...", "confirm": "..."}} or
 * {@code {"at": "2026-11-20T14:00:00Z", "target": "..."}}. {@code target} is a Secrets Manager secret ARN or a
 * {@code postgresql://} URL; {@code confirm} (the target database's name) is needed only when the target is not empty.
 * Roles ({@link RoleHandling}): ownership and privileges are restored by default; optional {@code "roles":
 * "create-missing"} or {@code "skip"}, and {@code "roleMap": {"old": "new"}}.
 * The target string is never shown back: it may hold a password.
 */
public record RestoreRequest(Optional<BackupId> backupId, Optional<Instant> at, String target, Optional<String> confirm,
                             RoleHandling roles) {
    private static final Set<String> FIELDS = Set.of("backupId", "at", "target", "confirm", "roles", "roleMap");
    private static final String USAGE = "expected {\"backupId\": \"20261128T020000Z-daily\", \"target\": \"<Secrets Manager ARN "
            + "or postgresql:// URL>\"} or {\"at\": \"2026-11-20T14:00:00Z\", \"target\": ...}, plus \"confirm\": \"<database name>\" "
            + "for a non-empty target, and optionally \"roles\": \"create-missing\" | \"skip\" and \"roleMap\": {\"old\": \"new\"}";
    private static final int MAX_ROLE_NAME = 63;

    public RestoreRequest {
        if (backupId.isPresent() == at.isPresent()) {
            throw new InvalidRequestException("give exactly one of 'backupId' and 'at': " + USAGE);
        }
        if (target == null || target.isBlank()) {
            throw new InvalidRequestException("missing 'target': " + USAGE);
        }
        if (!target.startsWith("arn:aws") && !target.startsWith("postgresql://") && !target.startsWith("postgres://")) {
            throw new InvalidRequestException("'target' must be a Secrets Manager secret ARN (arn:aws:secretsmanager:...) "
                    + "or a postgresql:// URL");
        }
        roles = roles == null ? RoleHandling.RESTORE : roles;
    }

    /** A request restoring ownership and privileges (the default role handling). */
    public RestoreRequest(Optional<BackupId> backupId, Optional<Instant> at, String target, Optional<String> confirm) {
        this(backupId, at, target, confirm, RoleHandling.RESTORE);
    }

    public static RestoreRequest fromEvent(Map<String, Object> event) {
        if (event == null || event.isEmpty()) {
            throw new InvalidRequestException("restore needs a payload: " + USAGE);
        }
        for (String key : event.keySet()) {
            if (!FIELDS.contains(key)) {
                throw new InvalidRequestException("unknown field '" + printable(key) + "' in restore request; " + USAGE);
            }
        }
        Optional<BackupId> id = string(event, "backupId").map(s -> {
            try {
                return BackupId.parse(s);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(e.getMessage());
            }
        });
        Optional<Instant> at = string(event, "at").map(s -> {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                throw new InvalidRequestException("invalid 'at': '" + printable(s)
                        + "' is not an ISO-8601 UTC time such as 2026-11-20T14:00:00Z");
            }
        });
        return new RestoreRequest(id, at, string(event, "target").orElse(null), string(event, "confirm"), roles(event));
    }

    /** {@code "roles"} and {@code "roleMap"}: what to do about the backup's roles. */
    private static RoleHandling roles(Map<String, Object> event) {
        RoleHandling.Mode mode = string(event, "roles").map(s -> switch (s) {
            case "create-missing" -> RoleHandling.Mode.CREATE_MISSING;
            case "skip" -> RoleHandling.Mode.SKIP;
            default -> throw new InvalidRequestException("invalid 'roles': '" + printable(s) + "'; expected \"create-missing\" "
                    + "(create the backup's roles the target lacks, NOLOGIN) or \"skip\" (restore neither ownership nor privileges)");
        }).orElse(RoleHandling.Mode.RESTORE);
        Object raw = event.get("roleMap");
        Map<String, String> map = new java.util.TreeMap<>();
        if (raw != null) {
            if (!(raw instanceof Map<?, ?> given)) {
                throw new InvalidRequestException("field 'roleMap' must be an object {\"role in the backup\": \"role on the target\"}");
            }
            for (Map.Entry<?, ?> e : given.entrySet()) {
                if (!(e.getValue() instanceof String to) || !validRole(to) || !validRole(String.valueOf(e.getKey()))) {
                    throw new InvalidRequestException("'roleMap' entry '" + printable(String.valueOf(e.getKey()))
                            + "' must map a role name to a role name (1 to " + MAX_ROLE_NAME + " characters)");
                }
                map.put((String) e.getKey(), to);
            }
        }
        if (mode == RoleHandling.Mode.SKIP && !map.isEmpty()) {
            throw new InvalidRequestException("'roleMap' cannot be combined with \"roles\": \"skip\" (skip restores neither "
                    + "ownership nor privileges, so there is nothing to map)");
        }
        return new RoleHandling(mode, map);
    }

    private static boolean validRole(String name) {
        return !name.isEmpty() && name.length() <= MAX_ROLE_NAME && name.chars().noneMatch(c -> c == 0);
    }

    /**
     * The backup to restore: the one named, or the newest whose snapshot was taken at or before {@code at}
     * (point in time at backup granularity: what changed after that snapshot is in no backup).
     *
     * @param newestFirst the complete backups, newest first
     */
    public Manifest choose(List<Manifest> newestFirst) {
        if (backupId.isPresent()) {
            return newestFirst.stream().filter(m -> m.backupId().equals(backupId.get())).findFirst()
                    .orElseThrow(() -> new InvalidRequestException("no backup " + backupId.get()
                            + " in the repository (no manifest); the list function shows the backups; nothing was changed"));
        }
        List<List<Manifest>> sources = Sources.groups(newestFirst);
        if (sources.size() > 1) { // written before backup refused a second database: "at" would pick either
            throw new InvalidRequestException("the repository holds backups of " + sources.size() + " databases ("
                    + sources.stream().map(g -> g.get(0).database().describe() + ", newest " + g.get(0).backupId())
                    .collect(java.util.stream.Collectors.joining("; ")) + "): 'at' cannot tell which one you mean; name the"
                    + " backup with 'backupId' (the list function shows them); nothing was changed");
        }
        return newestFirst.stream().filter(m -> !m.startedAt().isAfter(at.get())).findFirst()
                .orElseThrow(() -> new InvalidRequestException("no backup taken at or before " + at.get()
                        + (newestFirst.isEmpty() ? " (the repository has no backups)"
                        : " (the oldest is " + newestFirst.get(newestFirst.size() - 1).backupId() + ", taken "
                        + newestFirst.get(newestFirst.size() - 1).startedAt() + ")") + "; nothing was changed"));
    }

    private static Optional<String> string(Map<String, Object> event, String field) {
        Object v = event.get(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw new InvalidRequestException("field '" + field + "' must be a string");
        }
        return Optional.of(s);
    }

    private static String printable(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 60 ? p.substring(0, 60) + "..." : p;
    }

    @Override
    public String toString() {
        return "RestoreRequest[backupId=" + backupId + ", at=" + at + ", target=<hidden>, confirm=" + confirm + "]";
    }
}
