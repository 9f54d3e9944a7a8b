package com.taskmaster.backup.report;

import com.taskmaster.backup.report.Readiness.Check;
import com.taskmaster.backup.report.Readiness.Mark;
import com.taskmaster.backup.report.ReadinessInput.Backup;
import com.taskmaster.backup.report.ReadinessInput.PruneEntry;
import com.taskmaster.backup.report.ReadinessInput.PruneRun;
import com.taskmaster.backup.report.ReadinessInput.RestoreTest;
import com.taskmaster.backup.report.ReadinessInput.TableCheck;
import com.taskmaster.backup.report.ReadinessInput.Verification;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The recovery-readiness report as one self-contained HTML page: a pure function {@code (input, now) → HTML}.
 * Inline CSS and SVG only: no script, no font, image or style sheet fetched from anywhere (a Content-Security-Policy
 * says so to the browser too), so it reads the same offline, from an e-mail attachment or printed. The verdict
 * comes first, then one line per check with a mark that is a symbol and a word, not only a colour, then the
 * capacity forecast, the charts and the tables. Every string from the data is escaped.
 */
public final class ReadinessPage {
    /** Kept backups listed in the retention table; the rest are counted. */
    static final int KEPT_ROWS = 120;
    static final int PROBLEM_ROWS = 20;

    private final Readiness r;
    private final StringBuilder out = new StringBuilder(64 * 1024);

    private ReadinessPage(Readiness r) {
        this.r = r;
    }

    public static String render(ReadinessInput input, Instant now) {
        return render(Readiness.assess(input, now));
    }

    public static String render(Readiness readiness) {
        return new ReadinessPage(readiness).page();
    }

    private String page() {
        ReadinessInput in = r.input();
        String db = in.database() == null ? "(no backup yet)" : in.database();
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Recovery readiness: ").append(Html.esc(db)).append(", ").append(Format.minute(r.now())).append("</title>\n")
                .append("<style>").append(ReadinessStyle.CSS).append("</style>\n</head>\n<body>\n<main>\n");
        header(db);
        verdict();
        status();
        forecast();
        charts();
        restoreTables();
        adherence();
        problems();
        retention();
        footer();
        return out.append("</main>\n</body>\n</html>\n").toString();
    }

    private void header(String db) {
        out.append("<header><h1>Recovery readiness <span class=\"db\">").append(Html.esc(db)).append("</span></h1>")
                .append("<p class=\"meta\">Generated ").append(Format.minute(r.now())).append(" · repository <code>")
                .append(Html.esc(r.input().repository())).append("</code> · window ").append(Format.day(r.windowStart()))
                .append(" to ").append(Format.day(r.now())).append("</p></header>\n");
    }

    private void verdict() {
        List<Check> failed = r.failures();
        if (failed.isEmpty()) {
            out.append("<section class=\"verdict ok\" aria-label=\"Verdict\"><span class=\"mark ok\">✓ READY</span>")
                    .append("<p><strong>Recovery is ready.</strong> Every check below passed.</p></section>\n");
            return;
        }
        out.append("<section class=\"verdict fail\" aria-label=\"Verdict\"><span class=\"mark fail\">✗ NOT READY</span><p><strong>")
                .append(failed.size()).append(" of ").append(r.checks().size()).append(" checks fail:</strong> ");
        List<String> names = failed.stream().map(c -> Html.esc(c.name()) + " (" + Html.esc(c.headline()) + ")").toList();
        out.append(String.join("; ", names)).append(".</p></section>\n");
    }

    private void status() {
        out.append("<section aria-labelledby=\"h-status\"><h2 id=\"h-status\">Status</h2><ul class=\"status\">\n");
        for (Check c : r.checks()) {
            String cls = markClass(c.mark());
            out.append("<li class=\"check ").append(cls).append("\">").append(mark(c.mark())).append("<div><h3>").append(Html.esc(c.name()))
                    .append("</h3><p class=\"headline\">").append(Html.esc(c.headline())).append("</p><p class=\"reason\">")
                    .append(Html.esc(c.reason())).append("</p></div></li>\n");
        }
        out.append("</ul></section>\n");
    }

    static String markClass(Mark m) {
        return switch (m) {
            case OK -> "ok";
            case FAIL -> "fail";
            case NONE -> "none";
        };
    }

    private static String mark(Mark m) {
        return switch (m) {
            case OK -> "<span class=\"mark ok\">✓ OK</span>";
            case FAIL -> "<span class=\"mark fail\">✗ FAIL</span>";
            case NONE -> "<span class=\"mark none\">– N/A</span>";
        };
    }

    private void forecast() {
        Forecast f = r.forecast();
        out.append("<section aria-labelledby=\"h-forecast\"><h2 id=\"h-forecast\">Capacity forecast</h2><p>");
        if (f.warning()) {
            out.append("<span class=\"mark fail\">✗ WARNING</span> ");
        }
        out.append("When the trends reach the limits the functions run under (Lambda: 15 minutes at most, memory, /tmp) or the RTO. ")
                .append("A limit reached within ").append(Format.duration(f.warningHorizon())).append(" is a warning");
        f.daysUntilFirstLimit().ifPresent(d -> out.append("; the first is ").append(d == 0 ? "reached already" : "reached in " + d + " days"));
        out.append(".</p>\n<table class=\"forecast\"><caption>Projected limits</caption><thead><tr><th scope=\"col\">Run</th>")
                .append("<th scope=\"col\">Measure</th><th scope=\"col\">Latest</th><th scope=\"col\">Trend now</th><th scope=\"col\">Limit</th>")
                .append("<th scope=\"col\">Reached</th><th scope=\"col\">Basis</th></tr></thead><tbody>\n");
        for (Forecast.Projection p : f.projections()) {
            out.append("<tr class=\"").append(p.alarming() ? "bad" : "").append("\"><td>").append(Html.esc(p.operation())).append("</td><td>")
                    .append(Html.esc(p.measure())).append("</td><td class=\"num\">").append(value(p, p.latest())).append("</td><td class=\"num\">")
                    .append(value(p, p.projected())).append("</td><td>").append(value(p, p.limit())).append("<br><small>")
                    .append(Html.esc(p.limitName())).append("</small></td><td>").append(reached(p)).append("</td><td><small>")
                    .append(Html.esc(p.basis())).append("</small></td></tr>\n");
        }
        out.append("</tbody></table></section>\n");
    }

    private static String value(Forecast.Projection p, Double v) {
        if (v == null) {
            return "—";
        }
        return Html.esc(p.unit() == Forecast.Unit.SECONDS ? Format.seconds(v) : Format.bytes(v));
    }

    private String reached(Forecast.Projection p) {
        return switch (p.state()) {
            case EXCEEDED -> "<strong class=\"bad-text\">already</strong>";
            case WARNING -> "<strong class=\"bad-text\">" + Format.day(p.reachesAt()) + "</strong> (" + Html.esc(Format.relative(p.reachesAt(), r.now())) + ")";
            case LATER -> Format.day(p.reachesAt()) + " (" + Html.esc(Format.relative(p.reachesAt(), r.now())) + ")";
            case NOT_ON_TREND -> "not within 10 years on this trend";
            case NO_DATA -> "no forecast";
        };
    }

    private void charts() {
        out.append("<section aria-labelledby=\"h-charts\"><h2 id=\"h-charts\">The last 13 months</h2><div class=\"charts\">\n");
        for (ReadinessCharts.Figure f : new ReadinessCharts(r).all()) {
            out.append("<figure><h3>").append(Html.esc(f.heading())).append("</h3>").append(f.svg()).append("<figcaption>");
            if (!f.legend().isEmpty()) {
                out.append("<ul class=\"legend\">");
                for (ReadinessCharts.Legend l : f.legend()) {
                    out.append("<li><span class=\"key ").append(Html.esc(l.shape())).append(' ').append(Html.esc(l.cssClass()))
                            .append("\" aria-hidden=\"true\"></span>").append(Html.esc(l.label())).append("</li>");
                }
                out.append("</ul>");
            }
            out.append("<p>").append(Html.esc(f.summary())).append("</p></figcaption></figure>\n");
        }
        out.append("</div></section>\n");
    }

    private void restoreTables() {
        out.append("<section aria-labelledby=\"h-tables\"><h2 id=\"h-tables\">Last restore test, per table</h2>\n");
        Optional<RestoreTest> last = Readiness.lastRestoreTest(r.input());
        if (last.isEmpty() || last.get().tables().isEmpty()) {
            out.append("<p class=\"empty\">").append(last.isEmpty() ? "No restore test yet: no table has been proven restorable."
                    : "The last restore test recorded no table.").append("</p></section>\n");
            return;
        }
        RestoreTest t = last.get();
        long equal = t.tables().stream().filter(TableCheck::equal).count();
        out.append("<table><caption>Backup <code>").append(Html.esc(t.backupId())).append("</code> restored ")
                .append(Format.minute(t.startedAt())).append(": ").append(equal).append(" of ").append(t.tables().size())
                .append(" tables equal</caption><thead><tr><th scope=\"col\">Table</th><th scope=\"col\" class=\"num\">Rows in backup</th>")
                .append("<th scope=\"col\" class=\"num\">Rows restored</th><th scope=\"col\">Fingerprint</th></tr></thead><tbody>\n");
        for (TableCheck c : t.tables()) {
            out.append("<tr><th scope=\"row\"><code>").append(Html.esc(c.schema())).append('.').append(Html.esc(c.name()))
                    .append("</code></th><td class=\"num\">").append(Format.count(c.expectedRows())).append("</td><td class=\"num\">")
                    .append(c.restoredRows() == null ? "—" : Format.count(c.restoredRows())).append("</td><td>")
                    .append(c.equal() ? "<span class=\"mark ok small\">✓ equal</span>" : "<span class=\"mark fail small\">✗ differs</span>")
                    .append("</td></tr>\n");
        }
        out.append("</tbody></table></section>\n");
    }

    private void adherence() {
        out.append("<section aria-labelledby=\"h-adherence\"><h2 id=\"h-adherence\">Schedule adherence</h2>")
                .append("<table><caption>Expected and actual runs: periods (UTC) that ended in the window since the first backup")
                .append("</caption><thead><tr><th scope=\"col\">Schedule</th><th scope=\"col\">Since</th><th scope=\"col\" class=\"num\">Expected</th>")
                .append("<th scope=\"col\" class=\"num\">Ran</th><th scope=\"col\" class=\"num\">Missed</th><th scope=\"col\">Last run</th>")
                .append("<th scope=\"col\">Most recent misses</th></tr></thead><tbody>\n");
        for (Adherence a : r.adherence()) {
            boolean bad = a.missed() > 0;
            out.append("<tr class=\"").append(bad ? "bad" : "").append("\"><th scope=\"row\">").append(Html.esc(a.schedule().name()))
                    .append("</th><td>").append(a.from() == null ? "no backup yet" : Format.day(a.from())).append("</td><td class=\"num\">")
                    .append(Format.count(a.expected())).append("</td><td class=\"num\">").append(Format.count(a.ran()))
                    .append("</td><td class=\"num\">").append(bad ? "<strong class=\"bad-text\">" + Format.count(a.missed()) + "</strong>" : "0")
                    .append("</td><td>").append(a.lastRun() == null ? "never" : Format.minute(a.lastRun())).append("</td><td>");
            List<String> misses = a.missedRecent().stream().map(m -> a.schedule().period() == ReadinessInput.Schedule.Period.HOUR
                    ? Format.minute(m) : Format.day(m)).toList();
            out.append(misses.isEmpty() ? "—" : String.join(", ", misses) + (a.missed() > misses.size() ? ", …" : ""))
                    .append("</td></tr>\n");
        }
        out.append("</tbody></table></section>\n");
    }

    private void retention() {
        out.append("<section aria-labelledby=\"h-retention\"><h2 id=\"h-retention\">Retention state</h2>\n");
        Optional<PruneRun> run = r.input().pruneRuns().stream().filter(p -> !p.dryRun()).reduce((a, b) -> b)
                .or(() -> r.input().pruneRuns().stream().reduce((a, b) -> b));
        List<Backup> present = r.input().backups().stream().filter(Backup::present).toList();
        if (run.isEmpty()) {
            out.append("<p class=\"empty\">No prune run recorded yet: ").append(present.size())
                    .append(" backups are kept, none has been deleted by retention.</p></section>\n");
            return;
        }
        PruneRun p = run.get();
        out.append("<p>").append(p.dryRun() ? "Last prune run (a dry run: nothing was deleted) " : "Last prune run ")
                .append(Format.minute(p.at())).append(": kept ").append(p.kept().size()).append(", deleted ").append(p.deleted().size())
                .append('.');
        if (!p.interlocks().isEmpty()) {
            out.append(" <span class=\"mark fail small\">✗ interlock</span> it deleted nothing: ");
            out.append(String.join("; ", p.interlocks().stream().map(Html::esc).toList()));
        }
        out.append("</p>\n<table class=\"compact\"><caption>Why backups are kept, and why they went</caption><thead><tr>")
                .append("<th scope=\"col\">Rule or reason</th><th scope=\"col\" class=\"num\">Kept</th><th scope=\"col\" class=\"num\">Deleted</th>")
                .append("</tr></thead><tbody>\n");
        Map<String, int[]> reasons = new TreeMap<>();
        p.kept().forEach(e -> e.reasons().forEach(x -> reasons.computeIfAbsent(x, k -> new int[2])[0]++));
        p.deleted().forEach(e -> e.reasons().forEach(x -> reasons.computeIfAbsent(x, k -> new int[2])[1]++));
        reasons.forEach((reason, n) -> out.append("<tr><th scope=\"row\"><code>").append(Html.esc(reason)).append("</code></th><td class=\"num\">")
                .append(n[0]).append("</td><td class=\"num\">").append(n[1]).append("</td></tr>\n"));
        out.append("</tbody></table>\n");
        keptTable(p.kept());
        out.append("</section>\n");
    }

    private void keptTable(List<PruneEntry> kept) {
        List<PruneEntry> newestFirst = new ArrayList<>(kept);
        newestFirst.sort((a, b) -> b.takenAt() == null || a.takenAt() == null ? 0 : b.takenAt().compareTo(a.takenAt()));
        out.append("<details open><summary>The ").append(kept.size()).append(" backups kept, newest first</summary><table class=\"compact\">")
                .append("<thead><tr><th scope=\"col\">Backup</th><th scope=\"col\">Taken</th><th scope=\"col\" class=\"num\">Stored</th>")
                .append("<th scope=\"col\">Label</th><th scope=\"col\">Kept by</th></tr></thead><tbody>\n");
        for (PruneEntry e : newestFirst.subList(0, Math.min(KEPT_ROWS, newestFirst.size()))) {
            out.append("<tr><th scope=\"row\"><code>").append(Html.esc(e.backupId())).append("</code></th><td>")
                    .append(e.takenAt() == null ? "—" : Format.minute(e.takenAt())).append("</td><td class=\"num\">")
                    .append(Format.bytes(e.storedBytes())).append("</td><td>").append(Html.esc(e.label())).append("</td><td>")
                    .append(Html.esc(String.join(", ", e.reasons()))).append("</td></tr>\n");
        }
        if (newestFirst.size() > KEPT_ROWS) {
            out.append("<tr><td colspan=\"5\">… and ").append(newestFirst.size() - KEPT_ROWS).append(" older backups</td></tr>\n");
        }
        out.append("</tbody></table></details>\n");
    }

    private void problems() {
        List<Verification> bad = r.input().verifications().stream().filter(v -> !v.passed() && !v.verifiedAt().isBefore(r.windowStart()))
                .toList();
        List<RestoreTest> failedTests = r.input().restoreTests().stream().filter(t -> !t.passed() && !t.startedAt().isBefore(r.windowStart()))
                .toList();
        out.append("<section aria-labelledby=\"h-problems\"><h2 id=\"h-problems\">Problems in the last 13 months</h2>\n");
        if (bad.isEmpty() && failedTests.isEmpty()) {
            out.append("<p class=\"empty\">No verification or restore test failed in the window.</p></section>\n");
            return;
        }
        out.append("<table class=\"compact\"><thead><tr><th scope=\"col\">When</th><th scope=\"col\">What</th><th scope=\"col\">Backup</th>")
                .append("<th scope=\"col\">Reason</th></tr></thead><tbody>\n");
        List<String[]> rows = new ArrayList<>();
        bad.forEach(v -> rows.add(new String[]{Format.minute(v.verifiedAt()), "verification " + v.outcome(), v.backupId(),
                v.reason() == null ? "" : v.reason()}));
        failedTests.forEach(t -> rows.add(new String[]{Format.minute(t.startedAt()), "restore test failed", t.backupId(),
                String.join("; ", t.failures())}));
        rows.sort((a, b) -> b[0].compareTo(a[0]));
        for (String[] row : rows.subList(0, Math.min(PROBLEM_ROWS, rows.size()))) {
            out.append("<tr><td>").append(Html.esc(row[0])).append("</td><td>").append(Html.esc(row[1])).append("</td><td><code>")
                    .append(Html.esc(row[2])).append("</code></td><td>").append(Html.esc(row[3])).append("</td></tr>\n");
        }
        if (rows.size() > PROBLEM_ROWS) {
            out.append("<tr><td colspan=\"4\">… and ").append(rows.size() - PROBLEM_ROWS).append(" earlier</td></tr>\n");
        }
        out.append("</tbody></table></section>\n");
    }

    private void footer() {
        out.append("<footer><p>How to read this: a check is OK only when its evidence is recent enough (verification within ")
                .append(Format.duration(r.input().settings().verifyMaxAge())).append(", restore test within ")
                .append(Format.duration(r.input().settings().restoreTestMaxAge())).append("). The forecast fits a least-squares line ")
                .append("through each day's largest dump over the last 90 days and multiplies it by the median time per byte of the ")
                .append("latest runs; memory and /tmp get their own line. Times are UTC; sizes in binary units (1 GiB = 1024³ bytes). ")
                .append("Generated by TaskMaster Backup; this page fetches nothing and runs no script.</p></footer>\n");
    }
}
