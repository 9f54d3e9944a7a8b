package com.taskmaster.backup.report;

import com.taskmaster.backup.report.ReadinessInput.Backup;
import com.taskmaster.backup.report.ReadinessInput.PruneEntry;
import com.taskmaster.backup.report.ReadinessInput.PruneRun;
import com.taskmaster.backup.report.ReadinessInput.RestoreTest;
import com.taskmaster.backup.report.ReadinessInput.TableCheck;
import com.taskmaster.backup.report.ReadinessInput.TierSample;
import com.taskmaster.backup.report.ReadinessInput.Verification;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Odd histories render: zero sizes and durations, many runs at the same instant, runs in the future, a single
 * backup, gaps of months, huge values. Each page must be well formed, with no NaN or infinity.
 */
class ReadinessRandomInputTest {
    private static final Instant NOW = Instant.parse("2026-12-01T09:30:00Z");

    @Test
    void oddHistoriesRenderWellFormed() {
        Random random = new Random(7);
        for (int i = 0; i < 120; i++) {
            ReadinessInput in = randomInput(random);
            String html;
            try {
                html = ReadinessPage.render(in, NOW);
            } catch (RuntimeException e) {
                throw new AssertionError("input " + i + " failed to render: " + e, e);
            }
            ReadinessPageTest.assertWellFormed(html);
        }
    }

    private static Instant time(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> NOW;
            case 1 -> NOW.plus(Duration.ofHours(r.nextInt(48)));
            case 2 -> NOW.minus(Duration.ofDays(r.nextInt(1000)));
            default -> NOW.minus(Duration.ofMinutes(r.nextInt(60 * 24 * 30)));
        };
    }

    private static long size(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> r.nextInt(10);
            case 2 -> Long.MAX_VALUE / (1 + r.nextInt(1000));
            default -> (long) (r.nextDouble() * 1e12);
        };
    }

    private static ReadinessInput randomInput(Random r) {
        List<Backup> backups = new ArrayList<>();
        int n = r.nextInt(4) == 0 ? r.nextInt(2) : r.nextInt(200);
        for (int i = 0; i < n; i++) {
            Instant t = time(r);
            backups.add(new Backup("b" + i + "-daily", t, r.nextBoolean() ? "daily" : "hourly", r.nextBoolean() ? size(r) : null, size(r),
                    r.nextBoolean() ? Duration.ofMillis(r.nextInt(1_000_000)) : null, r.nextInt(20), null,
                    r.nextBoolean() ? size(r) : null, r.nextBoolean() ? size(r) : null, r.nextInt(5) == 0 ? t.plusSeconds(3600) : null));
        }
        List<Verification> verifications = new ArrayList<>();
        for (int i = 0; i < r.nextInt(50); i++) {
            verifications.add(new Verification("b" + i, time(r), List.of("passed", "failed", "error").get(r.nextInt(3)),
                    r.nextBoolean() ? null : "reason " + i, r.nextBoolean() ? null : "identical", r.nextInt(1000), r.nextBoolean() ? "r" : null));
        }
        List<RestoreTest> tests = new ArrayList<>();
        for (int i = 0; i < r.nextInt(6); i++) {
            tests.add(new RestoreTest(time(r), "b" + i, r.nextBoolean(), List.of(), r.nextBoolean() ? Duration.ofSeconds(r.nextInt(100_000)) : null,
                    r.nextBoolean() ? Duration.ofSeconds(r.nextInt(100_000)) : null, r.nextBoolean() ? size(r) : null, r.nextBoolean() ? null : true,
                    List.of(new TableCheck("s", "t", r.nextInt(1000), r.nextBoolean() ? null : 5L, r.nextBoolean())),
                    r.nextBoolean() ? size(r) : null, null));
        }
        List<PruneRun> prunes = r.nextBoolean() ? List.of() : List.of(new PruneRun(time(r), r.nextBoolean(),
                r.nextBoolean() ? List.of() : List.of("listing is empty"),
                List.of(new PruneEntry("b0", r.nextBoolean() ? null : time(r), size(r), null, List.of("recent"))), List.of()));
        List<TierSample> storage = new ArrayList<>();
        for (int i = 0; i < r.nextInt(30); i++) {
            storage.add(new TierSample(time(r), "tier" + r.nextInt(8), size(r)));
        }
        return new ReadinessInput(r.nextBoolean() ? null : "db", "file:///x", ReadinessInput.Settings.defaults(), backups, verifications,
                tests, prunes, null, storage, null);
    }
}
