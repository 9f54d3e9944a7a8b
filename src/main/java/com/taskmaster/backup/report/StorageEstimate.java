package com.taskmaster.backup.report;

import com.taskmaster.backup.report.ReadinessInput.Backup;
import com.taskmaster.backup.report.ReadinessInput.TierSample;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Storage per tier estimated from the backups' stored sizes and the bucket's lifecycle rules, for when no measured
 * figures (CloudWatch {@code BucketSizeBytes} per storage type) are at hand. template.yaml's rules: data objects
 * move to GLACIER_IR after 35 days; a deleted backup stays as a noncurrent version for 30 days; the replica keeps
 * every backup (hourly ones too) for 400 days. Manifests and audit records (kilobytes) are left out.
 *
 * @param archiveAfter    STANDARD → GLACIER_IR after this ({@code archive-old-backups})
 * @param noncurrentKept  how long a deleted backup's bytes remain ({@code NoncurrentVersionRetentionDays})
 * @param replicaKept     how long the replica keeps each backup ({@code ReplicaExpirationDays}); null: no replica
 */
public record StorageEstimate(Duration archiveAfter, Duration noncurrentKept, Duration replicaKept) {
    public static final String STANDARD = "STANDARD";
    public static final String GLACIER_IR = "GLACIER_IR";
    public static final String NONCURRENT = "noncurrent versions";
    public static final String REPLICA = "replica";

    public StorageEstimate {
        Objects.requireNonNull(archiveAfter, "archiveAfter");
        Objects.requireNonNull(noncurrentKept, "noncurrentKept");
    }

    /** template.yaml's defaults, with a replica. */
    public static StorageEstimate template() {
        return new StorageEstimate(Duration.ofDays(35), Duration.ofDays(30), Duration.ofDays(400));
    }

    /** How the figures were made, for the report's reader. */
    public String note() {
        return "estimated from the backups' stored sizes: STANDARD until " + archiveAfter.toDays() + " days old, then GLACIER_IR; "
                + "deleted backups kept " + noncurrentKept.toDays() + " days as noncurrent versions"
                + (replicaKept == null ? "" : "; the replica keeps every backup " + replicaKept.toDays() + " days");
    }

    /** One sample per tier at each UTC midnight from {@code from} to {@code to}. */
    public List<TierSample> daily(List<Backup> backups, Instant from, Instant to) {
        List<Backup> byTime = backups.stream().sorted(java.util.Comparator.comparing(Backup::takenAt)).toList();
        List<TierSample> out = new ArrayList<>();
        for (Instant day = from.truncatedTo(ChronoUnit.DAYS); !day.isAfter(to); day = day.plus(Duration.ofDays(1))) {
            long standard = 0;
            long archived = 0;
            long noncurrent = 0;
            long replica = 0;
            for (Backup b : byTime) {
                if (b.takenAt().isAfter(day)) {
                    break;
                }
                boolean exists = b.deletedAt() == null || b.deletedAt().isAfter(day);
                if (exists && Duration.between(b.takenAt(), day).compareTo(archiveAfter) < 0) {
                    standard += b.storedBytes();
                } else if (exists) {
                    archived += b.storedBytes();
                } else if (Duration.between(b.deletedAt(), day).compareTo(noncurrentKept) < 0) {
                    noncurrent += b.storedBytes();
                }
                if (replicaKept != null && Duration.between(b.takenAt(), day).compareTo(replicaKept) < 0) {
                    replica += b.storedBytes();
                }
            }
            out.add(new TierSample(day, STANDARD, standard));
            out.add(new TierSample(day, GLACIER_IR, archived));
            out.add(new TierSample(day, NONCURRENT, noncurrent));
            if (replicaKept != null) {
                out.add(new TierSample(day, REPLICA, replica));
            }
        }
        return out;
    }
}
