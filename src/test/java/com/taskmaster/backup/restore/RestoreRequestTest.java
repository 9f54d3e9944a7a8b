package com.taskmaster.backup.restore;

import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.support.InvalidRequestException;
import com.taskmaster.backup.testing.Manifests;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Choosing the backup to restore, and the request's validation. Pure. */
class RestoreRequestTest {
    static final String URL = "postgresql://u:s3cret@db:5432/t";
    final Manifest d1 = Manifests.manifest("20261126T020000Z-daily", 1);
    final Manifest h = Manifests.manifest("20261126T130000Z-hourly", 1);
    final Manifest d2 = Manifests.manifest("20261127T020000Z-daily", 1);
    final List<Manifest> newestFirst = List.of(d2, h, d1);

    RestoreRequest at(String time) {
        return RestoreRequest.fromEvent(Map.of("at", time, "target", URL));
    }

    @Test
    void atChoosesTheNewestBackupTakenAtOrBefore() {
        assertEquals(h, at("2026-11-26T14:00:00Z").choose(newestFirst));
        assertEquals(h, at("2026-11-26T13:00:00Z").choose(newestFirst)); // inclusive
        assertEquals(d1, at("2026-11-26T12:59:59.999Z").choose(newestFirst));
        assertEquals(d2, at("2030-01-01T00:00:00Z").choose(newestFirst));
        var e = assertThrows(InvalidRequestException.class, () -> at("2026-11-26T01:59:59Z").choose(newestFirst));
        assertTrue(e.getMessage().contains("the oldest is 20261126T020000Z-daily"), e.getMessage());
        assertTrue(assertThrows(InvalidRequestException.class, () -> at("2026-11-26T01:59:59Z").choose(List.of()))
                .getMessage().contains("the repository has no backups"));
    }

    static Manifest of(Manifest m, Manifest.Database db) {
        return new Manifest(m.formatVersion(), m.backupId(), db, m.pgDumpVersion(), m.startedAt(), m.finishedAt(), m.data(),
                m.compression(), m.encryption(), m.tables(), m.label(), m.reason(), m.trigger(), m.requestId());
    }

    @Test
    void atIsRefusedWhenTheRepositoryHoldsTwoDatabasesAndBackupIdStillWorks() {
        Manifest staging = of(Manifests.manifest("20261127T030000Z-staging", 1),
                new Manifest.Database("staging", "staging.example", 5432, "15.8", "7300000000000000002"));
        List<Manifest> mixed = List.of(staging, d2, h, d1);
        var e = assertThrows(InvalidRequestException.class, () -> at("2026-11-28T00:00:00Z").choose(mixed));
        assertTrue(e.getMessage().contains("holds backups of 2 databases") && e.getMessage().contains("staging on staging.example:5432")
                && e.getMessage().contains("taskmaster on db:5432"), e.getMessage());
        RestoreRequest byId = RestoreRequest.fromEvent(Map.of("backupId", "20261127T020000Z-daily", "target", URL));
        assertEquals(d2, byId.choose(mixed));
        // the same database, newer manifests with its system identifier and older ones without: one source
        Manifest withId = of(Manifests.manifest("20261128T020000Z-daily", 1),
                new Manifest.Database("taskmaster", "db", 5432, "15.8", "7300000000000000001"));
        assertEquals(withId, at("2026-11-28T03:00:00Z").choose(List.of(withId, d2, h, d1)));
    }

    @Test
    void backupIdChoosesThatBackupOnly() {
        RestoreRequest r = RestoreRequest.fromEvent(Map.of("backupId", "20261126T130000Z-hourly", "target", URL, "confirm", "t"));
        assertEquals(h, r.choose(newestFirst));
        assertEquals("t", r.confirm().orElseThrow());
        assertFalse(r.toString().contains("s3cret"));
    }

    @Test
    void timesWithOffsetsOrWithoutZoneAreRefusedOrNormalised() {
        assertThrows(InvalidRequestException.class, () -> at("2026-11-26T14:00:00")); // no zone: ambiguous
        assertThrows(InvalidRequestException.class, () -> at("2026-11-26"));
        assertEquals(h, at("2026-11-26T14:00:00+01:00").choose(newestFirst)); // = 13:00Z
    }
}
