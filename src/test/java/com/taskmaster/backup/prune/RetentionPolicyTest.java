package com.taskmaster.backup.prune;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.repository.LockState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static com.taskmaster.backup.prune.Histories.backup;
import static com.taskmaster.backup.prune.Histories.every;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention over synthetic histories, compared with expected plans saved in {@code src/test/resources/prune/<name>.txt}
 * (one line per backup, newest first: {@code <id> keep|delete <reasons>}, then any interlocks). To regenerate them
 * after a deliberate policy change, run with {@code -Dprune.updateExpected=true} and review the diff.
 */
class RetentionPolicyTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration DAY = Duration.ofDays(1);

    record Scenario(String name, String description, Instant now, RetentionPolicy policy, List<BackupSummary> backups,
                    Set<BackupId> verified) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Scenario> scenarios() {
        RetentionPolicy d = RetentionPolicy.DEFAULTS;
        List<Scenario> s = new ArrayList<>();

        List<BackupSummary> twoYears = new ArrayList<>(every(DAY, "2024-11-28T02:00:00Z", "2026-11-28T12:00:00Z", "daily"));
        twoYears.addAll(every(HOUR, "2026-11-14T00:30:00Z", "2026-11-28T12:00:00Z", "hourly"));
        s.add(new Scenario("two-years", "daily at 02:00 for two years, hourly at :30 for the last 14 days, never pruned before",
                Instant.parse("2026-11-28T12:00:00Z"), d, twoYears, Set.of()));

        List<BackupSummary> gaps = new ArrayList<>(every(DAY, "2026-01-10T02:00:00Z", "2026-06-01T02:00:00Z", "daily"));
        gaps.addAll(every(DAY, "2026-08-15T02:00:00Z", "2026-11-05T02:00:00Z", "daily")); // nothing in June, July, early August
        gaps.addAll(every(DAY, "2026-11-20T02:00:00Z", "2026-11-22T02:00:00Z", "daily")); // nothing 5-19 and 22-27 Nov
        gaps.add(backup("2026-11-28T09:00:00Z", "manual-aaaaaa"));
        s.add(new Scenario("gaps", "daily backups with gaps of months and days", Instant.parse("2026-11-28T12:00:00Z"),
                new RetentionPolicy(Duration.ofHours(48), 30, 12, 3, HOUR, 100, Duration.ofMinutes(10)), gaps, Set.of()));

        List<BackupSummary> newYear = new ArrayList<>(every(DAY, "2025-10-15T23:00:00Z", "2026-12-31T23:00:00Z", "daily"));
        newYear.add(backup("2026-12-31T23:59:59Z", "late"));
        newYear.add(backup("2027-01-01T00:00:00Z", "midnight"));
        newYear.add(backup("2027-01-01T00:15:00Z", "early"));
        s.add(new Scenario("year-boundary", "daily at 23:00 for 14 months, backups either side of midnight on New Year",
                Instant.parse("2027-01-01T00:30:00Z"), d.withMaxDeletePercent(100), newYear, Set.of()));

        s.add(new Scenario("leap-day", "every 6 hours around 29 February 2028, two days later",
                Instant.parse("2028-03-02T03:00:00Z"), d.withMaxDeletePercent(100),
                every(Duration.ofHours(6), "2028-02-25T00:00:00Z", "2028-03-02T03:00:00Z", "sixhourly"), Set.of()));

        List<BackupSummary> leapEdge = new ArrayList<>();
        for (String day : List.of("2028-02-28", "2028-02-29", "2028-03-01")) {
            leapEdge.add(backup(day + "T02:00:00Z", "a"));
            leapEdge.add(backup(day + "T14:00:00Z", "b"));
        }
        leapEdge.add(backup("2028-03-29T02:00:00Z", "a"));
        s.add(new Scenario("leap-day-window-edge", "29 February 2028 is the first day of the 30-day daily window",
                Instant.parse("2028-03-29T12:00:00Z"), d.withMaxDeletePercent(100), leapEdge, Set.of()));

        List<BackupSummary> edges = List.of(
                backup("2026-11-28T11:00:00Z", "exactly-min-age"),
                backup("2026-11-28T11:00:01Z", "just-under-min-age"),
                backup("2026-11-26T12:00:00Z", "exactly-48h"),
                backup("2026-11-26T12:00:01Z", "just-under-48h"),
                backup("2026-11-26T11:59:59Z", "just-over-48h"),
                backup("2026-11-26T00:00:00Z", "day-start"),
                backup("2026-10-30T00:00:00Z", "first-daily-day"),
                backup("2026-10-29T23:59:59Z", "day-before-window"),
                backup("2026-10-29T01:00:00Z", "earlier-that-day"),
                backup("2025-12-01T00:00:00Z", "first-monthly-month"),
                backup("2025-11-30T23:59:59Z", "month-before-window"));
        s.add(new Scenario("exact-boundaries", "backups exactly on and either side of each boundary",
                Instant.parse("2026-11-28T12:00:00Z"), d.withKeepLast(1).withMaxDeletePercent(100), edges, Set.of()));

        List<BackupSummary> old = new ArrayList<>(every(DAY, "2023-01-01T02:00:00Z", "2023-01-11T02:00:00Z", "daily"));
        old.add(backup(Instant.parse("2022-06-01T02:00:00Z"), "manual-hold01", "keep:legal-2022"));
        old.add(backup(Instant.parse("2022-06-02T02:00:00Z"), "manual-hold02", "keep"));
        old.add(backup(Instant.parse("2022-06-03T02:00:00Z"), "manual-nohold", "keeper"));
        old.add(backup(Instant.parse("2022-06-04T02:00:00Z"), "manual-label", "pre-migration"));
        s.add(new Scenario("holds-newest-n-verified", "nothing for years: the newest 3, the holds and the newest verified survive",
                Instant.parse("2026-11-28T12:00:00Z"), d.withMaxDeletePercent(100), old,
                Set.of(BackupId.parse("20230103T020000Z-daily"), BackupId.parse("20230102T020000Z-daily"))));

        List<BackupSummary> skew = new ArrayList<>(every(DAY, "2026-11-01T02:00:00Z", "2026-11-28T02:00:00Z", "daily"));
        skew.add(backup("2026-11-29T12:00:00Z", "ahead"));
        s.add(new Scenario("future-newest", "the newest backup is dated a day ahead: a wrong clock",
                Instant.parse("2026-11-28T12:00:00Z"), d, skew, Set.of()));

        List<BackupSummary> slightSkew = new ArrayList<>(every(DAY, "2026-11-20T02:00:00Z", "2026-11-28T02:00:00Z", "daily"));
        slightSkew.add(backup("2026-11-28T12:05:00Z", "ahead"));
        s.add(new Scenario("future-within-tolerance", "the newest backup is dated 5 minutes ahead: within the tolerance",
                Instant.parse("2026-11-28T12:00:00Z"), d, slightSkew, Set.of()));

        Instant lockNow = Instant.parse("2026-11-28T12:00:00Z");
        List<BackupSummary> locks = new ArrayList<>(every(DAY, "2024-01-01T02:00:00Z", "2024-01-11T02:00:00Z", "daily"));
        locks.replaceAll(b -> switch (b.id().value()) {
            case "20240102T020000Z-daily" -> b.withLock(new LockState(Instant.parse("2027-01-01T00:00:00Z"), "GOVERNANCE", false));
            case "20240103T020000Z-daily" -> b.withLock(new LockState(Instant.parse("2036-01-01T00:00:00Z"), "COMPLIANCE", false));
            case "20240104T020000Z-daily" -> b.withLock(new LockState(null, null, true));
            case "20240105T020000Z-daily" -> b.withLock(new LockState(Instant.parse("2030-01-01T00:00:00Z"), "GOVERNANCE", true));
            case "20240106T020000Z-daily" -> b.withLock(new LockState(Instant.parse("2026-11-01T00:00:00Z"), "GOVERNANCE", false));
            case "20240107T020000Z-daily" -> b.withLock(new LockState(lockNow, "COMPLIANCE", false));
            case "20240108T020000Z-daily" -> b.withLock(LockState.NONE);
            default -> b;
        });
        s.add(new Scenario("object-locks", "old dailies: retentions in the future (GOVERNANCE, COMPLIANCE), legal holds and "
                + "both are kept; a retention ended or ending exactly now, or none, is not", lockNow,
                d.withMaxDeletePercent(100), locks, Set.of()));

        s.add(new Scenario("empty", "no backups at all", Instant.parse("2026-11-28T12:00:00Z"), d, List.of(), Set.of()));
        return s.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void planMatchesTheSavedExpectation(Scenario s) throws IOException {
        PrunePlan plan = s.policy().plan(s.backups(), s.verified(), s.now());
        String actual = "# " + s.description() + "\n# now " + s.now() + "\n# " + s.policy() + "\n" + plan.render();
        Path expected = Path.of(System.getProperty("user.dir"), "src/test/resources/prune", s.name() + ".txt");
        if (Boolean.getBoolean("prune.updateExpected")) {
            Files.writeString(expected, actual);
        }
        assertTrue(Files.exists(expected), "no expected plan " + expected + ": run with -Dprune.updateExpected=true and review it");
        assertEquals(Files.readString(expected, StandardCharsets.UTF_8), actual);
    }

    @Test
    void interlocksStopThePlan() {
        RetentionPolicy d = RetentionPolicy.DEFAULTS;
        Instant now = Instant.parse("2026-11-28T12:00:00Z");
        assertFalse(d.plan(List.of(), now).executable());
        PrunePlan tooMany = d.plan(every(DAY, "2026-01-01T02:00:00Z", "2026-11-28T02:00:00Z", "daily"), now);
        assertFalse(tooMany.executable());
        assertTrue(tooMany.interlocks().get(0).contains("BACKUP_RETENTION_MAX_DELETE_PERCENT"), tooMany.interlocks().toString());
        assertTrue(d.withMaxDeletePercent(100).plan(every(DAY, "2026-01-01T02:00:00Z", "2026-11-28T02:00:00Z", "daily"), now)
                .executable());
    }

    @Test
    void policyIsValidated() {
        RetentionPolicy d = RetentionPolicy.DEFAULTS;
        assertThrows(IllegalArgumentException.class, () -> d.withKeepLast(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxDeletePercent(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxDeletePercent(101));
        assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(Duration.ofHours(-1), 30, 12, 3, HOUR, 50, HOUR));
        assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(HOUR, -1, 12, 3, HOUR, 50, HOUR));
        assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(HOUR, 30, -1, 3, HOUR, 50, HOUR));
        assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(HOUR, 30, 12, 3, Duration.ofDays(8), 50, HOUR));
        assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(HOUR, 30, 12, 3, HOUR, 50, Duration.ofDays(2)));
    }

    @Test
    void aLockedBackupIsKeptWhateverElseAndUnlockedOnesAreNot() {
        Instant now = Instant.parse("2026-11-28T12:00:00Z");
        BackupSummary old = backup("2020-01-01T02:00:00Z", "daily");
        List<BackupSummary> newer = every(DAY, "2026-11-20T02:00:00Z", "2026-11-28T02:00:00Z", "daily");
        RetentionPolicy p = RetentionPolicy.DEFAULTS.withMaxDeletePercent(100);
        for (var c : List.of(
                new Object[] {LockState.NONE, "delete", List.of("older-than-retention")},
                new Object[] {new LockState(now.plusSeconds(1), "GOVERNANCE", false), "keep", List.of("object-lock")},
                new Object[] {new LockState(now, "COMPLIANCE", false), "delete", List.of("older-than-retention")},
                new Object[] {new LockState(now.minusSeconds(1), "COMPLIANCE", false), "delete", List.of("older-than-retention")},
                new Object[] {new LockState(null, null, true), "keep", List.of("legal-hold")},
                new Object[] {new LockState(now.plusSeconds(60), "COMPLIANCE", true), "keep", List.of("object-lock", "legal-hold")})) {
            List<BackupSummary> all = new ArrayList<>(newer);
            all.add(old.withLock((LockState) c[0]));
            PrunePlan.Decision d = p.plan(all, now).decisionFor(old.id()).orElseThrow();
            assertEquals(c[1], d.delete() ? "delete" : "keep", c[0].toString());
            assertEquals(c[2], d.reasons(), c[0].toString());
        }
    }

    @Test
    void aBackupListedTwiceIsRefused() {
        BackupSummary b = backup("2026-11-28T02:00:00Z", "daily");
        assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.DEFAULTS.plan(List.of(b, b), Instant.now()));
    }
}
