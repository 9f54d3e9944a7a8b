package com.taskmaster.backup.report;

import com.taskmaster.backup.report.ReadinessInput.Backup;
import com.taskmaster.backup.report.ReadinessInput.Replica;
import com.taskmaster.backup.report.ReadinessInput.RestoreTest;
import com.taskmaster.backup.report.ReadinessInput.Settings;
import com.taskmaster.backup.report.ReadinessInput.Verification;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The verdict of the report, a pure function of the input and the time: one check per question a person asks
 * ("is there a recent backup? was it checked? was a restore proven, and fast enough? is the replica there? will it
 * still fit next quarter?"), each with a mark and a reason in words, the schedule adherence and the capacity
 * forecast. The handler alerts on {@link #ready()} and {@link Forecast#warning()}; the page shows all of it.
 *
 * @param windowStart the start of the charts' and the adherence's window: 13 months before now
 */
public record Readiness(Instant now, Instant windowStart, ReadinessInput input, List<Check> checks, Forecast forecast,
                        List<Adherence> adherence) {
    public static final int WINDOW_MONTHS = 13;

    /** OK and FAIL are verdicts; NONE means the check does not apply (no replica configured, too little history). */
    public enum Mark { OK, FAIL, NONE }

    /** One status line: what was checked, the mark, a short headline and the reason behind it. */
    public record Check(String name, Mark mark, String headline, String reason) {
        public Check {
            Objects.requireNonNull(name);
            Objects.requireNonNull(mark);
            Objects.requireNonNull(headline);
            Objects.requireNonNull(reason);
        }
    }

    public Readiness {
        checks = List.copyOf(checks);
        adherence = List.copyOf(adherence);
    }

    /** Ready when no check failed. */
    public boolean ready() {
        return checks.stream().noneMatch(c -> c.mark() == Mark.FAIL);
    }

    public List<Check> failures() {
        return checks.stream().filter(c -> c.mark() == Mark.FAIL).toList();
    }

    public static Readiness assess(ReadinessInput in, Instant now) {
        Instant windowStart = now.atZone(ZoneOffset.UTC).minusMonths(WINDOW_MONTHS).toInstant();
        Forecast forecast = Forecast.of(in, now);
        Settings s = in.settings();
        List<Check> checks = new ArrayList<>();
        checks.add(newestBackup(in, s, now));
        checks.add(lastVerification(in, s, now));
        checks.add(lastRestoreTest(in, s, now));
        checks.add(rto(in, s));
        checks.add(replica(in.replica(), s, now));
        checks.add(capacity(forecast, in, now));
        return new Readiness(now, windowStart, in, checks, forecast, Adherence.of(in, windowStart, now));
    }

    /** The newest backup that still exists and is not dated after now. */
    public static Optional<Backup> newestBackup(ReadinessInput in, Instant now) {
        return in.backups().stream().filter(b -> b.present() && !b.takenAt().isAfter(now)).reduce((a, b) -> b);
    }

    /** The records of the newest verification run: those of its request, or, without request ids, of its UTC day. */
    public static List<Verification> lastVerificationRun(ReadinessInput in) {
        if (in.verifications().isEmpty()) {
            return List.of();
        }
        Verification last = in.verifications().get(in.verifications().size() - 1);
        return in.verifications().stream().filter(v -> last.requestId() != null
                ? last.requestId().equals(v.requestId())
                : v.requestId() == null && Format.day(v.verifiedAt()).equals(Format.day(last.verifiedAt()))).toList();
    }

    public static Optional<RestoreTest> lastRestoreTest(ReadinessInput in) {
        return in.restoreTests().isEmpty() ? Optional.empty() : Optional.of(in.restoreTests().get(in.restoreTests().size() - 1));
    }

    private static Check newestBackup(ReadinessInput in, Settings s, Instant now) {
        String name = "Newest backup";
        Optional<Backup> newest = newestBackup(in, now);
        if (newest.isEmpty()) {
            return new Check(name, Mark.FAIL, "no backup yet", "the repository holds no backup: there is nothing to restore");
        }
        Backup b = newest.get();
        Duration age = Duration.between(b.takenAt(), now);
        String reason = b.id() + ", taken " + Format.minute(b.takenAt()) + "; RPO " + Format.duration(s.rpo());
        return age.compareTo(s.rpo()) < 0
                ? new Check(name, Mark.OK, Format.duration(age) + " old, within the RPO", reason)
                : new Check(name, Mark.FAIL, Format.duration(age) + " old: older than the RPO", reason);
    }

    private static Check lastVerification(ReadinessInput in, Settings s, Instant now) {
        String name = "Last verification";
        List<Verification> run = lastVerificationRun(in);
        if (run.isEmpty()) {
            return new Check(name, Mark.FAIL, "never verified", "no verification record: no backup has been read back and checked");
        }
        Instant at = run.get(run.size() - 1).verifiedAt();
        List<Verification> bad = run.stream().filter(v -> !v.passed()).toList();
        String when = Format.minute(at) + " (" + Format.relative(at, now) + ")";
        if (!bad.isEmpty()) {
            Verification first = bad.get(0);
            return new Check(name, Mark.FAIL, bad.size() + " of " + run.size() + " backups not passed",
                    when + "; " + first.backupId() + " " + first.outcome() + (first.reason() == null ? "" : ": " + first.reason())
                            + (bad.size() > 1 ? " (and " + (bad.size() - 1) + " more)" : ""));
        }
        if (Duration.between(at, now).compareTo(s.verifyMaxAge()) > 0) {
            return new Check(name, Mark.FAIL, "overdue: last run " + Format.relative(at, now),
                    when + ": " + run.size() + " backups passed, but verification is due every "
                            + Format.duration(s.verifyMaxAge()) + " at the latest");
        }
        return new Check(name, Mark.OK, "all " + run.size() + " backups passed", when);
    }

    private static Check lastRestoreTest(ReadinessInput in, Settings s, Instant now) {
        String name = "Last restore test";
        Optional<RestoreTest> last = lastRestoreTest(in);
        if (last.isEmpty()) {
            return new Check(name, Mark.FAIL, "no restore test yet", "no backup has been proven restorable");
        }
        RestoreTest t = last.get();
        String when = Format.minute(t.startedAt()) + " (" + Format.relative(t.startedAt(), now) + ")";
        if (!t.passed()) {
            return new Check(name, Mark.FAIL, "failed", when + "; backup " + t.backupId() + ": "
                    + (t.failures().isEmpty() ? "no reason recorded" : String.join("; ", t.failures())));
        }
        String what = "backup " + t.backupId() + " restored" + (t.restore() == null ? "" : " in " + Format.duration(t.restore()))
                + ", " + t.tables().size() + " tables" + (Boolean.TRUE.equals(t.fingerprintsEqual()) ? ", row counts equal" : "");
        if (Duration.between(t.startedAt(), now).compareTo(s.restoreTestMaxAge()) > 0) {
            return new Check(name, Mark.FAIL, "overdue: last passed " + Format.relative(t.startedAt(), now),
                    when + ": " + what + "; a restore test is due every " + Format.duration(s.restoreTestMaxAge()) + " at the latest");
        }
        return new Check(name, Mark.OK, "passed", when + ": " + what);
    }

    private static Check rto(ReadinessInput in, Settings s) {
        String name = "Restore time vs RTO";
        Optional<RestoreTest> measured = in.restoreTests().stream().filter(t -> t.estimatedFull() != null || t.restore() != null)
                .reduce((a, b) -> b);
        if (measured.isEmpty()) {
            return new Check(name, Mark.FAIL, "unknown", "no restore test has measured a restore yet; RTO " + Format.duration(s.rto()));
        }
        RestoreTest t = measured.get();
        boolean extrapolated = t.estimatedFull() != null;
        Duration time = extrapolated ? t.estimatedFull() : t.restore();
        String reason = (extrapolated ? "estimated for the database's current size from the restore test of "
                : "measured by the restore test of ") + Format.day(t.startedAt()) + "; RTO " + Format.duration(s.rto());
        return time.compareTo(s.rto()) < 0
                ? new Check(name, Mark.OK, Format.duration(time) + ", " + Format.percent(ratio(time, s.rto())) + " of the RTO", reason)
                : new Check(name, Mark.FAIL, Format.duration(time) + ": exceeds the RTO", reason);
    }

    private static Check replica(Replica r, Settings s, Instant now) {
        String name = "Replica";
        if (r == null) {
            return new Check(name, Mark.NONE, "not configured", "no replica repository is checked (BACKUP_REPLICA_REPOSITORY unset)");
        }
        String where = (r.location() == null ? "" : r.location() + ", ") + "checked " + Format.minute(r.checkedAt());
        if (r.problems() > 0) {
            return new Check(name, Mark.FAIL, r.problems() + " replica problem" + (r.problems() == 1 ? "" : "s"),
                    where + (r.details().isEmpty() ? "" : ": " + String.join("; ", r.details())));
        }
        if (Duration.between(r.checkedAt(), now).compareTo(s.verifyMaxAge()) > 0) {
            return new Check(name, Mark.FAIL, "not checked recently", where);
        }
        if (r.identical() == 0 && r.pending() == 0) {
            return new Check(name, Mark.FAIL, "nothing replicated", where + ": no backup was found in the replica");
        }
        return new Check(name, Mark.OK, r.identical() + " identical" + (r.pending() > 0 ? ", " + r.pending() + " pending" : ""), where);
    }

    private static Check capacity(Forecast f, ReadinessInput in, Instant now) {
        String name = "Capacity forecast";
        Optional<Forecast.Projection> first = f.first();
        String horizon = Format.duration(f.warningHorizon());
        if (f.warning()) {
            Forecast.Projection p = first.orElseThrow();
            return new Check(name, Mark.FAIL, p.state() == Forecast.State.EXCEEDED ? "limit reached" : "limit within " + horizon,
                    describe(p, now));
        }
        if (f.projections().stream().allMatch(p -> p.state() == Forecast.State.NO_DATA)) {
            return new Check(name, Mark.NONE, "not enough history", in.backups().isEmpty()
                    ? "no backups yet" : "needs " + Forecast.MIN_DAYS + " days of backups with sizes and measured times");
        }
        return new Check(name, Mark.OK, "no limit within " + horizon,
                first.map(p -> "first on the trend: " + describe(p, now)).orElse("no limit is reached on the current trends"));
    }

    /** "restore test restore time reaches 14 min 30 s (function timeout less 30 s reserve) on 2027-01-15, in 47 d". */
    static String describe(Forecast.Projection p, Instant now) {
        String limit = p.unit() == Forecast.Unit.SECONDS ? Format.seconds(p.limit()) : Format.bytes(p.limit());
        String at = p.state() == Forecast.State.EXCEEDED ? "already" : "on " + Format.day(p.reachesAt()) + ", " + Format.relative(p.reachesAt(), now);
        return p.operation() + ": " + p.measure() + " reaches " + limit + " (" + p.limitName() + ") " + at;
    }

    private static double ratio(Duration a, Duration b) {
        return (double) a.toMillis() / b.toMillis();
    }
}
