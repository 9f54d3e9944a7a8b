package com.taskmaster.backup.verify;

import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.postgres.TableFingerprint;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Checks on manifests alone, no data read: freshness against the RPO, and size and row-count drops. Pure. */
public final class Findings {
    private Findings() {
    }

    /**
     * How far after "now" a backup may be dated before it is taken for one from the future (a wrong clock, or a forged
     * manifest): the same allowance as prune's default {@code BACKUP_RETENTION_MAX_CLOCK_SKEW_MINUTES}.
     */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(10);

    /** Findings for backups whose snapshot is dated more than {@link #CLOCK_SKEW} after {@code now}. */
    public static List<String> fromTheFuture(List<Manifest> backups, Instant now) {
        return backups.stream().filter(m -> isFromTheFuture(m, now))
                .map(m -> "backup " + m.backupId() + " is dated " + m.startedAt() + ", " + human(Duration.between(now, m.startedAt()))
                        + " after now (" + now + "): a wrong clock or a forged manifest; it does not count for freshness")
                .toList();
    }

    /** The newest backup not from the future: what freshness is computed from. */
    public static Optional<Manifest> newestNotFromTheFuture(List<Manifest> newestFirst, Instant now) {
        return newestFirst.stream().filter(m -> !isFromTheFuture(m, now)).findFirst();
    }

    private static boolean isFromTheFuture(Manifest m, Instant now) {
        return m.startedAt().isAfter(now.plus(CLOCK_SKEW));
    }

    /** Empty when the newest backup's snapshot is younger than the RPO; else the reason. */
    public static Optional<String> staleness(Optional<Manifest> newest, Instant now, Duration rpo) {
        if (newest.isEmpty()) {
            return Optional.of("no backup in the repository (RPO " + rpo + ")");
        }
        Duration age = Duration.between(newest.get().startedAt(), now);
        if (age.compareTo(rpo) > 0) {
            return Optional.of("newest backup " + newest.get().backupId() + " was taken " + human(age)
                    + " ago, more than the RPO of " + human(rpo) + ": backups are not being made");
        }
        return Optional.empty();
    }

    /** Drops from the predecessor (the previous backup of the same database) that deserve a person's look. */
    public static List<String> anomalies(Manifest backup, Optional<Manifest> predecessor, VerifySettings settings) {
        List<String> out = new ArrayList<>();
        if (predecessor.isEmpty()) {
            return out;
        }
        Manifest before = predecessor.get();
        long was = before.data().plainBytes();
        long now = backup.data().plainBytes();
        if (was > 0 && now < was * (1 - settings.sizeDropShare())) {
            out.add(String.format("dump is %d bytes, %.0f%% smaller than its predecessor %s (%d bytes)",
                    now, 100.0 * (was - now) / was, before.backupId(), was));
        }
        Map<String, Long> current = backup.tables().stream()
                .collect(Collectors.toMap(TableFingerprint::qualifiedName, TableFingerprint::rows, (a, b) -> a));
        for (TableFingerprint t : before.tables()) {
            if (t.rows() < VerifySettings.MIN_ROWS) {
                continue;
            }
            Long rows = current.get(t.qualifiedName());
            if (rows == null) {
                out.add("table " + t.qualifiedName() + " (" + t.rows() + " rows in " + before.backupId() + ") is gone");
            } else if (rows < t.rows() * (1 - settings.rowDropShare())) {
                out.add(String.format("table %s has %d rows, %.0f%% fewer than in %s (%d)", t.qualifiedName(), rows,
                        100.0 * (t.rows() - rows) / t.rows(), before.backupId(), t.rows()));
            }
        }
        return out;
    }

    /** The previous backup (earlier snapshot; the id breaks ties) of the same database, from a newest-first list. */
    public static Optional<Manifest> predecessor(Manifest backup, List<Manifest> newestFirst) {
        return newestFirst.stream()
                .filter(m -> m.startedAt().isBefore(backup.startedAt())
                        || m.startedAt().equals(backup.startedAt()) && m.backupId().compareTo(backup.backupId()) < 0)
                .filter(m -> m.database().name().equals(backup.database().name()))
                .findFirst();
    }

    static String human(Duration d) {
        long minutes = d.toMinutes();
        if (minutes < 120) {
            return minutes + " min";
        }
        long hours = d.toHours();
        return hours < 72 ? hours + " h" : d.toDays() + " d";
    }
}
