package com.taskmaster.backup.verify;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.support.InvalidRequestException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which backups a verify run checks. Pure: decided from manifests and the latest verification records. */
public final class VerifyPlan {
    private VerifyPlan() {
    }

    /**
     * The requested backup alone; otherwise the newest backup and every backup without a passed verification
     * within {@code window}, newest first.
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
        List<Manifest> out = new ArrayList<>();
        for (int i = 0; i < newestFirst.size(); i++) {
            Manifest m = newestFirst.get(i);
            Verification v = latest.get(m.backupId());
            boolean recent = v != null && v.passed() && v.verifiedAt().isAfter(now.minus(window));
            if (i == 0 || !recent) {
                out.add(m);
            }
        }
        return out;
    }
}
