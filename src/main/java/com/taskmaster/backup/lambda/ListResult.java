package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.ConfigManifest;
import com.taskmaster.backup.format.Manifest;

import java.time.Instant;
import java.util.List;

/**
 * What the list handler returns: the complete backups, newest first. {@code unreadable} lists manifests that exist but
 * cannot be parsed: they are not backups until repaired; {@code foreign} the keys under {@code manifests/} that are not
 * manifests' names (an editor's {@code B.json~}, a copy), ignored; {@code configSnapshots} the configuration snapshots.
 */
public record ListResult(List<Entry> backups, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> unreadable,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> foreign,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ConfigEntry> configSnapshots) {

    /** One configuration snapshot (config-backup), listed apart from the database backups, newest first. */
    public record ConfigEntry(String snapshotId, Instant takenAt, long storedBytes, ConfigManifest.Counts counts) {
        static ConfigEntry of(ConfigManifest m) {
            return new ConfigEntry(m.snapshotId().value(), m.takenAt(), m.data().storedBytes(), m.counts());
        }
    }

    /** One complete backup. {@code createdAt} is when its snapshot was taken. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String backupId, Instant createdAt, long storedBytes, String label, String trigger) {
        static Entry of(Manifest m) {
            return new Entry(m.backupId().value(), m.startedAt(), m.data().storedBytes(), m.label(), m.trigger().type());
        }
    }

    static ListResult of(Catalog.Listing listing, List<ConfigManifest> configSnapshots) {
        return new ListResult(listing.backups().stream().map(Entry::of).toList(), listing.unreadable(), listing.foreign(),
                configSnapshots.stream().map(ConfigEntry::of).toList());
    }
}
