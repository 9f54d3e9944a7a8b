package com.taskmaster.backup.verify;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.support.InvalidRequestException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which backups a verify run checks. Pure: decided from manifests and the latest verification records. */
public final class VerifyPlan {
    private VerifyPlan() {
    }

    /**
     * The requested backup alone; otherwise the newest backup and every backup without a passed verification
     * within {@code window}: the newest first, then the rest least recently verified first (never verified first,
     * older backups before newer ones among equals). A run that cannot check them all (its deadline) thus leaves the
     * backups it checked to the back of the next run's queue, and every backup is eventually reached.
     *
     * @param newestFirst the complete backups, newest first
     */
    public static List<Manifest> select(List<Manifest> newestFirst, Map<BackupId, Verification> latest, Instant now,
                                        Duration window, Optional<BackupId> requested) {
        if (requested.isPresent()) {
            return List.of(newestFirst.stream().filter(m -> m.backupId().equals(requested.get())).findFirst()
                    .orElseThrow(() -> new InvalidRequestException("no backup " + requested.get()
                            + " in the repository (no manifest): nothing was verified; the list function shows the backups")));
        }
        List<Manifest> rest = new ArrayList<>();
        for (int i = 1; i < newestFirst.size(); i++) {
            Manifest m = newestFirst.get(i);
            Verification v = latest.get(m.backupId());
            boolean recent = v != null && v.passed() && v.verifiedAt().isAfter(now.minus(window));
            if (!recent) {
                rest.add(m);
            }
        }
        rest.sort(Comparator.comparing((Manifest m) -> lastVerified(m, latest)).thenComparing(Manifest::startedAt)
                .thenComparing(Manifest::backupId));
        List<Manifest> out = new ArrayList<>();
        if (!newestFirst.isEmpty()) {
            out.add(newestFirst.get(0));
        }
        out.addAll(rest);
        return out;
    }

    /** When the backup's latest verdict was given; {@link Instant#MIN} when it has none. */
    static Instant lastVerified(Manifest m, Map<BackupId, Verification> latest) {
        Verification v = latest.get(m.backupId());
        return v == null ? Instant.MIN : v.verifiedAt();
    }

    /**
     * Since when a backup has gone without a verdict: its latest verdict's time, else its snapshot's (never verified).
     */
    static Instant unverifiedSince(Manifest m, Map<BackupId, Verification> latest) {
        Verification v = latest.get(m.backupId());
        return v == null ? m.startedAt() : v.verifiedAt();
    }
}
