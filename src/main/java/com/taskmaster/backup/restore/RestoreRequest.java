package com.taskmaster.backup.restore;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Manifest;
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
 * The target string is never shown back: it may hold a password.
 */
public record RestoreRequest(Optional<BackupId> backupId, Optional<Instant> at, String target, Optional<String> confirm) {
    private static final Set<String> FIELDS = Set.of("backupId", "at", "target", "confirm");
    private static final String USAGE = "expected {\"backupId\": \"20261128T020000Z-daily\", \"target\": \"<Secrets Manager ARN "
            + "or postgresql:// URL>\"} or {\"at\": \"2026-11-20T14:00:00Z\", \"target\": ...}, plus \"confirm\": \"<database name>\" "
            + "for a non-empty target";

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
        return new RestoreRequest(id, at, string(event, "target").orElse(null), string(event, "confirm"));
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
