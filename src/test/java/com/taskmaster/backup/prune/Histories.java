package com.taskmaster.backup.prune;

import com.taskmaster.backup.format.BackupId;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Synthetic backup histories for retention tests. */
final class Histories {
    private Histories() {
    }

    static BackupSummary backup(String time, String schedule) {
        return backup(Instant.parse(time), schedule, null);
    }

    static BackupSummary backup(Instant time, String schedule, String label) {
        return new BackupSummary(BackupId.scheduled(time, schedule), time, label, 1000);
    }

    /** One backup every {@code step} from {@code from} (inclusive) to {@code to} (exclusive). */
    static List<BackupSummary> every(Duration step, String from, String to, String schedule) {
        List<BackupSummary> out = new ArrayList<>();
        for (Instant t = Instant.parse(from); t.isBefore(Instant.parse(to)); t = t.plus(step)) {
            out.add(backup(t, schedule, null));
        }
        return out;
    }
}
