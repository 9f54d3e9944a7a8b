package com.taskmaster.backup.prune;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.repository.LockState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Properties of retention over a few hundred random histories and policies (seeded: failures reproduce). */
class RetentionPropertiesTest {
    private static final long SEED = 20261128L;
    private static final int HISTORIES = 400;

    record Case(int n, Instant now, RetentionPolicy policy, List<BackupSummary> backups, Set<BackupId> verified) {
        String describe() {
            return "history #" + n + " (seed " + SEED + "), now " + now + ", " + policy + ", " + backups.size() + " backups";
        }
    }

    /** Bursts of hourly, six-hourly and daily backups with gaps, over up to three years before now (and a little after). */
    static Case randomCase(Random r, int n) {
        Instant now = Instant.parse("2025-01-01T00:00:00Z").plus(r.nextInt(5 * 365 * 24 * 60), ChronoUnit.MINUTES);
        RetentionPolicy policy = new RetentionPolicy(Duration.ofMinutes(r.nextInt(4 * 24 * 60)), r.nextInt(45), r.nextInt(25),
                1 + r.nextInt(5), Duration.ofMinutes(r.nextInt(180)), 100, Duration.ofMinutes(10));
        Map<BackupId, BackupSummary> backups = new LinkedHashMap<>();
        int bursts = r.nextInt(12);
        for (int b = 0; b < bursts; b++) {
            Instant end = now.minus(r.nextInt(3 * 365 * 24 * 60), ChronoUnit.MINUTES).plus(r.nextInt(20), ChronoUnit.MINUTES);
            Duration step = List.of(Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1), Duration.ofDays(3)).get(r.nextInt(4));
            int count = 1 + r.nextInt(120);
            for (int i = 0; i < count; i++) {
                Instant t = end.minus(step.multipliedBy(i)).plusSeconds(r.nextInt(120)).truncatedTo(ChronoUnit.SECONDS);
                String label = r.nextInt(40) == 0 ? "keep:case-" + i : r.nextInt(20) == 0 ? "pre-migration" : null;
                BackupSummary s = new BackupSummary(BackupId.scheduled(t, "s" + b), t, label, r.nextInt(1 << 20));
                s = switch (r.nextInt(30)) { // S3 Object Lock: retentions ending before or after now, legal holds
                    case 0 -> s.withLock(new LockState(now.plus(r.nextInt(400 * 24 * 60) - 200 * 24 * 60, ChronoUnit.MINUTES),
                            r.nextBoolean() ? "GOVERNANCE" : "COMPLIANCE", false));
                    case 1 -> s.withLock(new LockState(null, null, true));
                    case 2 -> s.withLock(LockState.NONE);
                    default -> s;
                };
                backups.put(s.id(), s);
            }
        }
        List<BackupSummary> list = new ArrayList<>(backups.values());
        Collections.shuffle(list, r);
        Set<BackupId> verified = new HashSet<>();
        for (BackupSummary s : list) {
            if (r.nextInt(10) == 0) {
                verified.add(s.id());
            }
        }
        return new Case(n, now, policy, list, verified);
    }

    static List<Case> cases() {
        Random r = new Random(SEED);
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < HISTORIES; i++) {
            out.add(randomCase(r, i));
        }
        return out;
    }

    @Test
    void everyPropertyHoldsOnEveryRandomHistory() {
        int deletedSomewhere = 0;
        long keptOnlyByLock = 0;
        for (Case c : cases()) {
            PrunePlan plan = c.policy().plan(c.backups(), c.verified(), c.now());
            try {
                check(c, plan);
            } catch (AssertionError e) {
                fail(c.describe() + ": " + e.getMessage() + "\n" + plan.render(), e);
            }
            deletedSomewhere += plan.deleted().isEmpty() ? 0 : 1;
            keptOnlyByLock += plan.kept().stream().filter(d -> Set.of("object-lock", "legal-hold").containsAll(d.reasons())).count();
        }
        assertTrue(deletedSomewhere > HISTORIES / 3, "the histories exercise deletion: " + deletedSomewhere);
        assertTrue(keptOnlyByLock > 50, "the histories exercise Object Lock: " + keptOnlyByLock + " backups kept by a lock alone");
    }

    private static void check(Case c, PrunePlan plan) {
        RetentionPolicy p = c.policy();
        Set<BackupId> kept = plan.kept().stream().map(d -> d.backup().id()).collect(Collectors.toSet());
        List<BackupSummary> newestFirst = new ArrayList<>(c.backups());
        newestFirst.sort(Comparator.comparing(BackupSummary::time).thenComparing(BackupSummary::id).reversed());

        // a partition: every backup decided exactly once, with a reason
        assertEquals(c.backups().size(), plan.decisions().size(), "every backup decided");
        assertEquals(c.backups().stream().map(BackupSummary::id).collect(Collectors.toSet()),
                plan.decisions().stream().map(d -> d.backup().id()).collect(Collectors.toSet()), "the same backups");

        // the newest N are always kept
        newestFirst.stream().limit(p.keepLast()).forEach(b -> assertTrue(kept.contains(b.id()), "newest-N " + b.id()));
        // holds are always kept
        c.backups().stream().filter(BackupSummary::held).forEach(b -> assertTrue(kept.contains(b.id()), "hold " + b.id()));
        // backups under an active Object Lock retention or a legal hold are always kept, with that reason
        c.backups().stream().filter(b -> b.lock() != null && b.lock().lockedAt(c.now())).forEach(b -> {
            assertTrue(kept.contains(b.id()), "locked " + b.id() + " " + b.lock());
            List<String> reasons = plan.decisionFor(b.id()).orElseThrow().reasons();
            assertTrue(reasons.contains(b.legalHold() ? "legal-hold" : "object-lock"), "lock reason of " + b.id() + ": " + reasons);
        });
        // the newest verified backup is always kept
        newestFirst.stream().filter(b -> c.verified().contains(b.id())).findFirst()
                .ifPresent(b -> assertTrue(kept.contains(b.id()), "newest verified " + b.id()));
        // everything younger than the minimum age or the keep-all window is kept
        Duration window = p.keepAllWithin().compareTo(p.minAge()) > 0 ? p.keepAllWithin() : p.minAge();
        c.backups().stream().filter(b -> Duration.between(b.time(), c.now()).compareTo(window) < 0)
                .forEach(b -> assertTrue(kept.contains(b.id()), "recent " + b.id()));

        // every UTC month of the monthly window (and day of the daily window) that had a backup still has one
        LocalDate today = LocalDate.ofInstant(c.now(), ZoneOffset.UTC);
        checkSlots(c, kept, b -> YearMonth.from(day(b)), m -> p.monthlyMonths() > 0
                && !m.isBefore(YearMonth.from(today).minusMonths(p.monthlyMonths() - 1L)) && !m.isAfter(YearMonth.from(today)), "month");
        checkSlots(c, kept, RetentionPropertiesTest::day, d -> p.dailyDays() > 0
                && !d.isBefore(today.minusDays(p.dailyDays() - 1L)) && !d.isAfter(today), "day");

        // running again on what is left deletes nothing more
        List<BackupSummary> left = c.backups().stream().filter(b -> kept.contains(b.id())).toList();
        PrunePlan again = p.plan(left, c.verified(), c.now());
        assertEquals(List.of(), again.deleted().stream().map(d -> d.backup().id()).toList(), "second run deletes nothing");

        // the order of the listing does not matter
        List<BackupSummary> reversed = new ArrayList<>(c.backups());
        Collections.reverse(reversed);
        assertEquals(plan.render(), p.plan(reversed, c.verified(), c.now()).render(), "independent of listing order");
    }

    private static LocalDate day(BackupSummary b) {
        return LocalDate.ofInstant(b.time(), ZoneOffset.UTC);
    }

    private static <S> void checkSlots(Case c, Set<BackupId> kept, Function<BackupSummary, S> slotOf,
                                       java.util.function.Predicate<S> inWindow, String what) {
        Map<S, List<BackupSummary>> bySlot = c.backups().stream().collect(Collectors.groupingBy(slotOf));
        bySlot.forEach((slot, members) -> {
            if (inWindow.test(slot)) {
                assertTrue(members.stream().anyMatch(b -> kept.contains(b.id())), what + " " + slot + " lost all its backups");
                BackupSummary newest = members.stream().max(Comparator.comparing(BackupSummary::time)
                        .thenComparing(BackupSummary::id)).orElseThrow();
                assertTrue(kept.contains(newest.id()), "newest of " + what + " " + slot + " kept: " + newest.id());
            }
        });
    }
}
