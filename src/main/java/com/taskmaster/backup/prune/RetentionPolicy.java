package com.taskmaster.backup.prune;

import com.taskmaster.backup.format.BackupId;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which backups to keep. A backup is kept when any rule keeps it; the rules, as named in plans:
 * <ul>
 *   <li>{@code newest-N}: the N newest backups, always (N ≥ 1: retention can never delete the newest backup);</li>
 *   <li>{@code hold}: labelled {@code keep} or {@code keep:...};</li>
 *   <li>{@code object-lock}: its manifest or data object is under an S3 Object Lock retention (GOVERNANCE or
 *       COMPLIANCE) whose retain-until date is after now; {@code legal-hold}: under an S3 Object Lock legal hold.
 *       Deleting such an object in a versioned bucket would only add a delete marker: the locked bytes would stay,
 *       but the backup would vanish from the catalog. Read from {@link BackupSummary#lock()} (null: not read,
 *       unlocked for this function);</li>
 *   <li>{@code newest-verified}: the newest backup in the set of verified ids given to {@link #plan} (none until
 *       verification records exist: the set is then empty);</li>
 *   <li>{@code min-age}: younger than {@code minAge} (a backup just committed, or one dated slightly ahead);</li>
 *   <li>{@code recent}: younger than {@code keepAllWithin} (the hourly backups);</li>
 *   <li>{@code daily}: the newest backup of its UTC day, for the {@code dailyDays} UTC days ending today;</li>
 *   <li>{@code monthly}: the newest backup of its UTC month, for the {@code monthlyMonths} UTC months ending with
 *       the current one.</li>
 * </ul>
 * "Younger than" is strict: a backup exactly {@code keepAllWithin} old is no longer recent. Times are the
 * snapshot times of the manifests ({@code startedAt}).
 *
 * <p>Interlocks (the plan is then not executable and nothing is deleted): an empty listing; a newest backup
 * dated more than {@code maxClockSkew} after now; a plan deleting more than {@code maxDeletePercent} of the backups.
 */
public record RetentionPolicy(Duration keepAllWithin, int dailyDays, int monthlyMonths, int keepLast, Duration minAge,
                              int maxDeletePercent, Duration maxClockSkew) {

    public static final RetentionPolicy DEFAULTS = new RetentionPolicy(Duration.ofHours(48), 30, 12, 3,
            Duration.ofHours(1), 50, Duration.ofMinutes(10));

    public RetentionPolicy {
        Objects.requireNonNull(keepAllWithin, "keepAllWithin");
        Objects.requireNonNull(minAge, "minAge");
        Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        check(!keepAllWithin.isNegative() && keepAllWithin.compareTo(Duration.ofDays(3660)) <= 0,
                "BACKUP_RETENTION_HOURS must be between 0 and 87840 hours");
        check(dailyDays >= 0 && dailyDays <= 3660, "BACKUP_RETENTION_DAILY_DAYS must be between 0 and 3660");
        check(monthlyMonths >= 0 && monthlyMonths <= 1200, "BACKUP_RETENTION_MONTHLY_MONTHS must be between 0 and 1200");
        check(keepLast >= 1 && keepLast <= 1000,
                "BACKUP_RETENTION_KEEP_LAST must be between 1 and 1000: the newest backup is always kept");
        check(!minAge.isNegative() && minAge.compareTo(Duration.ofDays(7)) <= 0,
                "BACKUP_RETENTION_MIN_AGE_MINUTES must be between 0 and 10080 (7 days)");
        check(maxDeletePercent >= 1 && maxDeletePercent <= 100, "BACKUP_RETENTION_MAX_DELETE_PERCENT must be between 1 and 100");
        check(!maxClockSkew.isNegative() && maxClockSkew.compareTo(Duration.ofDays(1)) <= 0,
                "BACKUP_RETENTION_MAX_CLOCK_SKEW_MINUTES must be between 0 and 1440");
    }

    /** The policy in words, for results and audit records. */
    public String describe() {
        return "keep the newest " + keepLast + ", holds (label keep or keep:...), S3 Object Lock retentions and legal holds, "
                + "the newest verified, everything younger than "
                + minutes(minAge.compareTo(keepAllWithin) > 0 ? minAge : keepAllWithin) + ", the newest of each UTC day for "
                + dailyDays + " days and of each UTC month for " + monthlyMonths + " months; abort if more than "
                + maxDeletePercent + "% would go or the newest backup is over " + minutes(maxClockSkew) + " ahead";
    }

    private static String minutes(Duration d) {
        return d.toMinutes() % 60 == 0 ? d.toHours() + " h" : d.toMinutes() + " min";
    }

    /** The policy of the {@code BACKUP_RETENTION_*} settings, validated. */
    public static RetentionPolicy from(com.taskmaster.backup.config.BackupConfig c) {
        return new RetentionPolicy(Duration.ofHours(c.retentionHours()), c.retentionDailyDays(), c.retentionMonthlyMonths(),
                c.retentionKeepLast(), Duration.ofMinutes(c.retentionMinAgeMinutes()), c.retentionMaxDeletePercent(),
                Duration.ofMinutes(c.retentionMaxClockSkewMinutes()));
    }

    public RetentionPolicy withKeepLast(int n) {
        return new RetentionPolicy(keepAllWithin, dailyDays, monthlyMonths, n, minAge, maxDeletePercent, maxClockSkew);
    }

    public RetentionPolicy withMaxDeletePercent(int percent) {
        return new RetentionPolicy(keepAllWithin, dailyDays, monthlyMonths, keepLast, minAge, percent, maxClockSkew);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid retention policy: " + message);
        }
    }

    /**
     * Retention applied to each source database's backups on its own ({@link com.taskmaster.backup.format.Sources#groups}),
     * so that another database's backups never take this one's daily, monthly or newest slots; the decisions merged,
     * newest first, with every group's interlocks. One group (or none): {@link #plan(List, Set, Instant)}.
     */
    public PrunePlan planPerSource(List<List<BackupSummary>> groups, Set<BackupId> verified, Instant now) {
        if (groups.size() <= 1) {
            return plan(groups.isEmpty() ? List.of() : groups.get(0), verified, now);
        }
        List<PrunePlan.Decision> decisions = new ArrayList<>();
        List<String> interlocks = new ArrayList<>();
        for (List<BackupSummary> group : groups) {
            PrunePlan p = plan(group, verified, now);
            decisions.addAll(p.decisions());
            p.interlocks().stream().filter(i -> !interlocks.contains(i)).forEach(interlocks::add);
        }
        decisions.sort(Comparator.comparing((PrunePlan.Decision d) -> d.backup().time()).thenComparing(d -> d.backup().id()).reversed());
        return new PrunePlan(now, this, decisions, interlocks);
    }

    public PrunePlan plan(List<BackupSummary> backups, Instant now) {
        return plan(backups, Set.of(), now);
    }

    /**
     * Decides, touching nothing.
     *
     * @param verified ids of backups proven restorable (verification records); may be empty. The newest backup
     *                 among them is always kept.
     */
    public PrunePlan plan(List<BackupSummary> backups, Set<BackupId> verified, Instant now) {
        Objects.requireNonNull(now, "now");
        List<BackupSummary> newestFirst = new ArrayList<>(backups);
        newestFirst.sort(Comparator.comparing(BackupSummary::time).thenComparing(BackupSummary::id).reversed());
        Set<BackupId> ids = new HashSet<>();
        for (BackupSummary b : newestFirst) {
            if (!ids.add(b.id())) {
                throw new IllegalArgumentException("backup " + b.id() + " listed twice");
            }
        }
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate firstDay = today.minusDays(dailyDays - 1L);
        YearMonth thisMonth = YearMonth.from(today);
        YearMonth firstMonth = thisMonth.minusMonths(monthlyMonths - 1L);
        BackupId newestVerified = newestFirst.stream().map(BackupSummary::id).filter(verified::contains).findFirst().orElse(null);

        Set<LocalDate> daysTaken = new HashSet<>();
        Set<YearMonth> monthsTaken = new HashSet<>();
        List<PrunePlan.Decision> decisions = new ArrayList<>();
        for (int i = 0; i < newestFirst.size(); i++) {
            BackupSummary b = newestFirst.get(i);
            Duration age = Duration.between(b.time(), now);
            LocalDate day = LocalDate.ofInstant(b.time(), ZoneOffset.UTC);
            YearMonth month = YearMonth.from(day);
            boolean inDaily = dailyDays > 0 && !day.isBefore(firstDay) && !day.isAfter(today);
            boolean inMonthly = monthlyMonths > 0 && !month.isBefore(firstMonth) && !month.isAfter(thisMonth);
            List<String> reasons = new ArrayList<>();
            if (i < keepLast) {
                reasons.add("newest-" + keepLast);
            }
            if (b.held()) {
                reasons.add("hold");
            }
            if (b.retainedAt(now)) {
                reasons.add("object-lock");
            }
            if (b.legalHold()) {
                reasons.add("legal-hold");
            }
            if (b.id().equals(newestVerified)) {
                reasons.add("newest-verified");
            }
            if (age.compareTo(minAge) < 0) {
                reasons.add("min-age");
            }
            if (age.compareTo(keepAllWithin) < 0) {
                reasons.add("recent");
            }
            // The newest backup of a day (month) takes its slot whether or not another rule keeps it too.
            if (inDaily && daysTaken.add(day)) {
                reasons.add("daily");
            }
            if (inMonthly && monthsTaken.add(month)) {
                reasons.add("monthly");
            }
            if (!reasons.isEmpty()) {
                decisions.add(new PrunePlan.Decision(b, PrunePlan.Action.KEEP, reasons));
            } else {
                String why = inDaily ? "not-newest-of-day" : inMonthly ? "not-newest-of-month" : "older-than-retention";
                decisions.add(new PrunePlan.Decision(b, PrunePlan.Action.DELETE, List.of(why)));
            }
        }
        return new PrunePlan(now, this, decisions, interlocks(newestFirst, decisions, now));
    }

    private List<String> interlocks(List<BackupSummary> newestFirst, List<PrunePlan.Decision> decisions, Instant now) {
        List<String> out = new ArrayList<>();
        if (newestFirst.isEmpty()) {
            out.add("the listing is empty: no backup found (wrong repository, prefix or credentials?); nothing deleted");
            return out;
        }
        BackupSummary newest = newestFirst.get(0);
        if (newest.time().isAfter(now.plus(maxClockSkew))) {
            out.add("newest backup " + newest.id() + " is dated " + newest.time() + ", "
                    + Duration.between(now, newest.time()).toMinutes() + " min after now (" + now
                    + "): a clock is wrong; nothing deleted");
        }
        long deletes = decisions.stream().filter(PrunePlan.Decision::delete).count();
        if (deletes * 100 > (long) maxDeletePercent * decisions.size()) {
            out.add("the plan would delete " + deletes + " of " + decisions.size() + " backups, more than "
                    + maxDeletePercent + "% (BACKUP_RETENTION_MAX_DELETE_PERCENT); nothing deleted");
        }
        if (deletes == decisions.size()) {
            out.add("the plan would delete every backup; nothing deleted");
        }
        return out;
    }
}
