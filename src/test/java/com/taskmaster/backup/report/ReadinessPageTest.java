package com.taskmaster.backup.report;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadinessPageTest {
    /** Every element the page may contain: anything else in the output came from data that escaped escaping. */
    private static final Set<String> TAGS = Set.of("!doctype", "html", "head", "meta", "title", "style", "body", "main", "header",
            "h1", "h2", "h3", "br", "span", "p", "code", "section", "strong", "ul", "li", "div", "table", "caption", "thead", "tbody", "tr",
            "th", "td", "small", "figure", "figcaption", "details", "summary", "footer", "svg", "desc", "line", "text", "polyline",
            "circle", "rect");
    private static final Pattern TAG = Pattern.compile("<(/?)([!a-zA-Z][a-zA-Z0-9]*)([^>]*)>");

    static Path write(String name, String html) throws IOException {
        Path dir = Path.of("target", "readiness");
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        Files.writeString(file, html, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void aYearOfDailyAndHourlyBackupsShowsItsFigures() throws IOException {
        ReadinessInput in = ReadinessHistory.year().build();
        Instant now = ReadinessHistory.year().now;
        Readiness r = Readiness.assess(in, now);
        String html = ReadinessPage.render(r);
        Path file = write("year-hourly.html", html);
        System.out.printf("readiness report, a year of daily + hourly backups (%d backups, %d verifications, %d restore tests, "
                        + "%d prune runs): %,d bytes -> %s%n", in.backups().size(), in.verifications().size(), in.restoreTests().size(),
                in.pruneRuns().size(), html.getBytes(StandardCharsets.UTF_8).length, file.toAbsolutePath());

        String newest = Readiness.newestBackup(in, now).orElseThrow().id();
        assertTrue(html.contains(newest), "the newest backup id " + newest);
        assertTrue(html.contains("RTO 4 h"), "the RTO");
        assertTrue(r.ready(), () -> "a healthy year is ready: " + r.failures());
        assertTrue(html.contains("✓ READY"));
        Forecast.Projection first = r.forecast().first().orElseThrow();
        assertTrue(html.contains(Format.day(first.reachesAt())), "the forecast date " + first.reachesAt());
        assertWellFormed(html);
        assertTrue(html.getBytes(StandardCharsets.UTF_8).length < 1_000_000, "the page stays small");
    }

    @Test
    void aYearOfDailyBackupsOnly() throws IOException {
        ReadinessHistory h = ReadinessHistory.year();
        h.hourly = false;
        ReadinessInput in = h.build();
        String html = ReadinessPage.render(in, h.now);
        Path file = write("year-daily.html", html);
        System.out.printf("readiness report, a year of daily backups (%d backups): %,d bytes -> %s%n", in.backups().size(),
                html.getBytes(StandardCharsets.UTF_8).length, file.toAbsolutePath());
        assertTrue(html.contains(Readiness.newestBackup(in, h.now).orElseThrow().id()));
        assertWellFormed(html);
    }

    @Test
    void aBrandNewRepositoryRendersSensibly() throws IOException {
        Instant now = Instant.parse("2026-12-01T09:30:00Z");
        Readiness r = Readiness.assess(ReadinessInput.empty("file:///srv/backups", ReadinessInput.Settings.defaults()), now);
        String html = ReadinessPage.render(r);
        write("empty.html", html);
        assertFalse(r.ready());
        Readiness.Check newest = r.checks().get(0);
        assertEquals(Readiness.Mark.FAIL, newest.mark());
        assertEquals("no backup yet", newest.headline());
        assertTrue(html.contains("<span class=\"mark fail\">✗ FAIL</span><div><h3>Newest backup</h3><p class=\"headline\">no backup yet"),
                "'no backup yet' with a red FAIL mark");
        assertTrue(html.contains("✗ NOT READY"));
        assertTrue(html.contains("No restore test yet"));
        assertEquals(6, count(html, "<svg "), "every chart is drawn, empty");
        assertEquals(6, count(html, "class=\"empty\" x="), "each empty chart says so");
        assertFalse(r.forecast().warning(), "no history, no warning");
        assertWellFormed(html);
    }

    @Test
    void stringsFromTheDataAreEscaped() throws IOException {
        ReadinessHistory h = ReadinessHistory.year();
        h.database = "\"><script>alert('db')</script>";
        h.extraTable = "<script>alert(\"table\")</script>\n' onmouseover='x";
        h.label = "\" onmouseover=\"alert(1)";
        h.failureReason = "</td></tr></table><img src=x onerror=alert(2)>\nline two & 'quotes'";
        h.days = 200;
        String html = ReadinessPage.render(h.build(), h.now);
        write("hostile.html", html);
        assertWellFormed(html);
        assertTrue(html.contains("&lt;script&gt;alert(&quot;table&quot;)&lt;/script&gt;"), "the table name, shown as text");
        assertTrue(html.contains("&quot;&gt;&lt;script&gt;alert(&#39;db&#39;)"), "the database name, shown as text");
        assertTrue(html.contains("&lt;img src=x onerror=alert(2)&gt;"), "the reason, shown as text");
    }

    @Test
    void nothingIsFetchedAndNothingRuns() {
        String html = ReadinessPage.render(ReadinessHistory.year().build(), ReadinessHistory.year().now);
        String lower = html.toLowerCase(Locale.ROOT);
        for (String forbidden : new String[]{"<script", "<link", "<img", "<iframe", "<object", " src=", " href=", "url(", "@import", "@font-face"}) {
            assertFalse(lower.contains(forbidden), forbidden);
        }
        assertTrue(html.contains("default-src 'none'"), "a Content-Security-Policy forbids fetching anyway");
    }

    /** Only the page's own elements, no event handler attribute, no NaN or infinity anywhere. */
    static void assertWellFormed(String html) {
        Matcher m = TAG.matcher(html);
        while (m.find()) {
            String name = m.group(2).toLowerCase(Locale.ROOT);
            assertTrue(TAGS.contains(name), "unexpected element <" + name + "> in: " + around(html, m.start()));
            assertFalse(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(m.group(3)).find(),
                    "event handler attribute in: " + m.group());
        }
        assertFalse(html.contains("NaN"), "NaN in the page");
        assertFalse(html.contains("Infinity"), "Infinity in the page");
        assertFalse(html.contains("∞"), "infinity in the page");
        assertEquals(count(html, "<svg "), count(html, "</svg>"));
        assertEquals(count(html, "<table"), count(html, "</table>"));
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static String around(String s, int at) {
        return s.substring(Math.max(0, at - 80), Math.min(s.length(), at + 80));
    }
}
