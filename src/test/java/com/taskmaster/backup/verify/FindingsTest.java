package com.taskmaster.backup.verify;

import com.taskmaster.backup.config.BackupConfig;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.testing.Manifests;
import io.smallrye.config.WithDefault;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure parts of verify: which backups are due, freshness, drops against the predecessor. */
class FindingsTest {
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    static final VerifySettings SETTINGS = VerifySettings.of("7d", "26h", 0.5, 0.5);

    static Manifest manifest(String id, long plainBytes, TableFingerprint... tables) {
        return Manifests.manifest(id, plainBytes, tables);
    }

    static TableFingerprint t(String name, long rows) {
        return new TableFingerprint("public", name, rows);
    }

    static Verification verified(Manifest m, Instant at, Verification.Outcome outcome) {
        return new Verification(m.backupId(), at, outcome, null, 1, null, List.of(), 1, "r");
    }

    @Test
    void planTakesTheNewestAndEveryBackupNotPassedWithinTheWindow() {
        Manifest d3 = manifest("20261128T020000Z-daily", 100);
        Manifest d2 = manifest("20261127T020000Z-daily", 100);
        Manifest d1 = manifest("20261126T020000Z-daily", 100);
        Manifest d0 = manifest("20261101T020000Z-daily", 100);
        Map<BackupId, Verification> latest = Map.of(
                d3.backupId(), verified(d3, NOW.minus(Duration.ofHours(1)), Verification.Outcome.passed),
                d2.backupId(), verified(d2, NOW.minus(Duration.ofDays(1)), Verification.Outcome.passed),
                d1.backupId(), verified(d1, NOW.minus(Duration.ofDays(1)), Verification.Outcome.failed),
                d0.backupId(), verified(d0, NOW.minus(Duration.ofDays(8)), Verification.Outcome.passed));
        List<Manifest> due = VerifyPlan.select(List.of(d3, d2, d1, d0), latest, NOW, SETTINGS.window(), Optional.empty());
        assertEquals(List.of(d3, d1, d0), due); // newest always; d1 failed last time; d0 out of the window
        assertEquals(List.of(d2), VerifyPlan.select(List.of(d3, d2, d1, d0), latest, NOW, SETTINGS.window(),
                Optional.of(d2.backupId())));
        assertEquals(List.of(), VerifyPlan.select(List.of(), Map.of(), NOW, SETTINGS.window(), Optional.empty()));
    }

    /**
     * The weekly schedule against the default window: last week's record of a backup that is no longer the newest is
     * a few seconds (or, after a late start of last week's run, up to an hour) younger than one week when this
     * week's run starts; the backup must be due every week, not every other week.
     */
    @Test
    void withTheDefaultWindowEveryBackupIsRecheckedByTheNextWeeklyRun() throws NoSuchMethodException {
        String configured = BackupConfig.class.getMethod("verifyWindow").getAnnotation(WithDefault.class).value();
        Duration window = VerifySettings.duration("BACKUP_VERIFY_WINDOW", configured);
        Manifest older = manifest("20261121T020000Z-daily", 100);
        Manifest newest = manifest("20261122T020000Z-daily", 100);
        Instant lastWeek = Instant.parse("2026-11-22T04:00:00.250Z"); // Sunday 04:00, the schedule
        for (Duration lateBy : List.of(Duration.ZERO, Duration.ofMinutes(59))) { // scheduler retries within an hour
            Instant lastRun = lastWeek.plus(lateBy);
            Map<BackupId, Verification> latest = Map.of(
                    newest.backupId(), verified(newest, lastRun.plusSeconds(9), Verification.Outcome.passed),
                    older.backupId(), verified(older, lastRun.plusSeconds(17), Verification.Outcome.passed));
            Instant thisWeek = lastWeek.plus(Duration.ofDays(7));
            assertEquals(ids(newest, older), ids(VerifyPlan.select(List.of(newest, older), latest, thisWeek, window,
                    Optional.empty())), "last week's run late by " + lateBy + ", window " + configured);
            // within the week, a recent pass still spares a backup from being read again (a manual run on Wednesday)
            assertEquals(ids(newest), ids(VerifyPlan.select(List.of(newest, older), latest, lastRun.plus(Duration.ofDays(3)),
                    window, Optional.empty())));
        }
    }

    static List<String> ids(Manifest... manifests) {
        return ids(List.of(manifests));
    }

    static List<String> ids(List<Manifest> manifests) {
        return manifests.stream().map(m -> m.backupId().value()).toList();
    }

    @Test
    void freshnessAgainstTheRpo() {
        assertTrue(Findings.staleness(Optional.of(manifest("20261128T020000Z-daily", 1)), NOW, Duration.ofHours(26)).isEmpty());
        String stale = Findings.staleness(Optional.of(manifest("20261127T020000Z-daily", 1)), NOW, Duration.ofHours(26)).orElseThrow();
        assertTrue(stale.contains("taken 34 h ago, more than the RPO of 26 h"), stale);
        assertTrue(Findings.staleness(Optional.empty(), NOW, Duration.ofHours(26)).orElseThrow().contains("no backup"));
    }

    @Test
    void backupsFromTheFutureAreFlaggedAndFreshnessComesFromTheOthers() {
        List<Manifest> newestFirst = List.of(manifest("20301201T000000Z-daily", 1), manifest("20261128T120500Z-manual-abcdef", 1),
                manifest("20261127T020000Z-daily", 1));
        // within the skew allowance (5 min ahead) counts; 2030 does not
        assertEquals("20261128T120500Z-manual-abcdef", Findings.newestNotFromTheFuture(newestFirst, NOW).orElseThrow().backupId().value());
        List<String> future = Findings.fromTheFuture(newestFirst, NOW);
        assertEquals(1, future.size(), future.toString());
        assertTrue(future.get(0).startsWith("backup 20301201T000000Z-daily is dated 2030-12-01T00:00:00Z"), future.get(0));
        assertTrue(Findings.newestNotFromTheFuture(List.of(newestFirst.get(0)), NOW).isEmpty());
    }

    @Test
    void sizeAndRowDropsAgainstThePredecessor() {
        Manifest before = manifest("20261127T020000Z-daily", 1000, t("tasks", 10_000), t("users", 500), t("tiny", 10), t("gone", 200));
        Manifest same = manifest("20261128T020000Z-daily", 990, t("tasks", 9_000), t("users", 500), t("tiny", 0), t("gone", 200));
        assertEquals(List.of(), Findings.anomalies(same, Optional.of(before), SETTINGS));
        assertEquals(List.of(), Findings.anomalies(same, Optional.empty(), SETTINGS));
        Manifest dropped = manifest("20261128T020000Z-daily", 400, t("tasks", 4_000), t("users", 500), t("tiny", 0));
        List<String> found = Findings.anomalies(dropped, Optional.of(before), SETTINGS);
        assertEquals(3, found.size(), found.toString());
        assertTrue(found.get(0).contains("dump is 400 bytes, 60% smaller than its predecessor 20261127T020000Z-daily"), found.get(0));
        assertTrue(found.get(1).contains("table public.tasks has 4000 rows, 60% fewer"), found.get(1));
        assertTrue(found.get(2).contains("table public.gone (200 rows in 20261127T020000Z-daily) is gone"), found.get(2));
    }

    @Test
    void predecessorIsThePreviousBackupOfTheSameDatabase() {
        Manifest d3 = manifest("20261128T020000Z-daily", 1);
        Manifest d2 = manifest("20261127T020000Z-daily", 1);
        assertEquals(Optional.of(d2), Findings.predecessor(d3, List.of(d3, d2)));
        assertEquals(Optional.empty(), Findings.predecessor(d2, List.of(d3, d2)));
    }

    @Test
    void durationsAndSharesAreValidated() {
        assertEquals(Duration.ofDays(7), VerifySettings.duration("X", "7d"));
        assertEquals(Duration.ofHours(26), VerifySettings.duration("X", "PT26H"));
        assertEquals(Duration.ofMinutes(90), VerifySettings.duration("X", "90m"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> VerifySettings.duration("BACKUP_RPO", "soon"));
        assertTrue(e.getMessage().contains("BACKUP_RPO='soon' is not a duration"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> VerifySettings.of("7d", "26h", 1.5, 0.5));
    }

    @Test
    void restoreScriptHeadersNameSchemaAndTable() {
        assertEquals("public.My Tab; Type: x", RestoreScript.tableOf("My Tab; Type: x; Type: TABLE DATA; Schema: public; Owner: postgres"));
        assertEquals("taskmaster.tasks", RestoreScript.tableOf("tasks; Type: TABLE DATA; Schema: taskmaster; Owner: app"));
        assertEquals(null, RestoreScript.tableOf("tasks; Type: TABLE; Schema: taskmaster; Owner: app"));
    }

    @Test
    void restoreScriptRecognisesCopyHeadersOfAnyLengthAndCountsRowsOfAnyLength() throws java.io.IOException {
        String columns = java.util.stream.IntStream.range(0, 5000).mapToObj(i -> "\"column " + i + "\"")
                .collect(java.util.stream.Collectors.joining(", "));
        String longRow = "x".repeat(100_000);
        String script = "--\n-- Data for Name: wide; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\n"
                + "COPY public.wide (" + columns + ") FROM stdin;\n" + longRow + "\n" + longRow + "\n\\.\n\n"
                + "-- Data for Name: narrow; Type: TABLE DATA; Schema: public; Owner: postgres\n"
                + "COPY public.narrow (a) FROM stdin;\n1\n\\.\n"
                + "-- Name: t; Type: TABLE; Schema: public; Owner: postgres\nCOPY (" + columns + ") FROM stdin; but not data\n";
        assertEquals(Map.of("public.wide", 2L, "public.narrow", 1L), RestoreScript.scan(
                new java.io.ByteArrayInputStream(script.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }
}
