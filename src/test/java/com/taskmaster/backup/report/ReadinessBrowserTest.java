package com.taskmaster.backup.report;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report as a browser shows it: Debian's headless Chromium renders a year of history and a brand-new repository
 * to PNG (kept under target/readiness/ for people to look at), dumps the DOM it parsed, and prints to PDF. Checked:
 * the screenshot is a rendered page, not a blank one (colours, the marks' own colour present); the figures are in
 * the DOM; accessibility basics (language, title, every chart an image with a title, tables with headers, the
 * marks' contrast computed from the page's own CSS).
 */
class ReadinessBrowserTest {
    private static final int WIDTH = 1400;
    private static final int HEIGHT = 4300;
    private static final Path DIR = Path.of("target", "readiness");

    private static Chromium chromium;
    private static ReadinessInput year;
    private static Instant now;
    private static Readiness readiness;
    private static Path yearPage;

    @BeforeAll
    static void render() throws IOException {
        chromium = Chromium.require();
        ReadinessHistory h = ReadinessHistory.year();
        year = h.build();
        now = h.now;
        readiness = Readiness.assess(year, now);
        yearPage = ReadinessPageTest.write("year-browser.html", ReadinessPage.render(readiness));
    }

    @Test
    void aYearOfHistoryRendersToAPage() throws Exception {
        Path png = DIR.resolve("year.png");
        chromium.screenshot(yearPage, png, WIDTH, HEIGHT);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(WIDTH, img.getWidth());
        assertEquals(HEIGHT, img.getHeight());
        Pixels p = Pixels.of(img);
        System.out.printf("screenshot %s: %d x %d, %d colours, %.1f%% not background, %d pixels of the OK mark's green%n",
                png.toAbsolutePath(), img.getWidth(), img.getHeight(), p.colours(), 100 * p.inkShare(), p.count(ReadinessStyle.OK));
        assertTrue(p.colours() > 200, "a rendered page has many colours (text antialiasing, charts): " + p.colours());
        assertTrue(p.inkShare() > 0.10, "more than a tenth of the page is not background: " + p.inkShare());
        assertTrue(p.count(ReadinessStyle.OK) > 2_000, "the green OK marks are drawn: " + p.count(ReadinessStyle.OK));
        assertTrue(p.count("#0969da") > 500, "the charts' blue lines are drawn: " + p.count("#0969da"));
    }

    @Test
    void theFiguresAreInTheParsedPage() throws Exception {
        String dom = chromium.dumpDom(yearPage);
        String newest = Readiness.newestBackup(year, now).orElseThrow().id();
        assertTrue(dom.contains(newest), "the newest backup id " + newest);
        assertTrue(dom.contains("RTO 4 h"), "the RTO");
        assertTrue(dom.contains("✓ READY"), "the verdict");
        String forecastDay = Format.day(readiness.forecast().first().orElseThrow().reachesAt());
        assertTrue(dom.contains(forecastDay), "the forecast date " + forecastDay);
        assertEquals(6, ReadinessPageTest.count(dom, "<svg "), "six charts");
        assertEquals(6, ReadinessPageTest.count(dom, "<li class=\"check "), "six status checks");
        accessibilityBasics(dom);
    }

    @Test
    void aBrandNewRepositoryRendersSensibly() throws Exception {
        Path page = ReadinessPageTest.write("empty-browser.html",
                ReadinessPage.render(ReadinessInput.empty("file:///srv/backups", ReadinessInput.Settings.defaults()), now));
        Path png = DIR.resolve("empty.png");
        chromium.screenshot(page, png, WIDTH, 2200);
        Pixels p = Pixels.of(ImageIO.read(png.toFile()));
        assertTrue(p.colours() > 50, "rendered: " + p.colours() + " colours");
        assertTrue(p.count(ReadinessStyle.FAIL) > 2_000, "the red FAIL marks are drawn: " + p.count(ReadinessStyle.FAIL));
        String dom = chromium.dumpDom(page);
        assertTrue(dom.contains("no backup yet"));
        assertTrue(dom.contains("✗ NOT READY"));
        assertFalse(dom.contains("NaN") || dom.contains("Infinity"));
        accessibilityBasics(dom);
    }

    @Test
    void itPrints() throws Exception {
        Path pdf = DIR.resolve("year.pdf");
        chromium.printToPdf(yearPage, pdf);
        byte[] bytes = Files.readAllBytes(pdf);
        assertTrue(new String(bytes, 0, 5).equals("%PDF-"), "a PDF");
        System.out.printf("printed %s: %,d bytes%n", pdf.toAbsolutePath(), bytes.length);
        assertTrue(bytes.length > 20_000, "the printed page has content: " + bytes.length + " bytes");
    }

    /** Language, title, charts as labelled images, tables with header cells, and the marks' contrast. */
    static void accessibilityBasics(String dom) {
        assertTrue(Pattern.compile("<html[^>]* lang=\"en\"").matcher(dom).find(), "the page's language");
        Matcher title = Pattern.compile("<title>([^<]+)</title>").matcher(dom);
        assertTrue(title.find() && title.group(1).startsWith("Recovery readiness"), "the page's title");
        assertEquals(1, ReadinessPageTest.count(dom, "<h1"), "one main heading");

        Matcher svg = Pattern.compile("<svg([^>]*)>(.*?)</svg>", Pattern.DOTALL).matcher(dom);
        int charts = 0;
        while (svg.find()) {
            charts++;
            String attrs = svg.group(1);
            assertTrue(attrs.contains("role=\"img\""), "a chart is an image to assistive technology: " + attrs);
            Matcher labelledBy = Pattern.compile("aria-labelledby=\"([^\"]+)\"").matcher(attrs);
            assertTrue(labelledBy.find(), "a chart names its label: " + attrs);
            for (String id : labelledBy.group(1).split(" ")) {
                Matcher label = Pattern.compile("<(title|desc) id=\"" + Pattern.quote(id) + "\">([^<]+)</").matcher(svg.group(2));
                assertTrue(label.find() && !label.group(2).isBlank(), "chart label " + id + " exists and says something");
            }
        }
        assertTrue(charts > 0, "charts");

        Matcher table = Pattern.compile("<table[^>]*>(.*?)</table>", Pattern.DOTALL).matcher(dom);
        while (table.find()) {
            assertTrue(table.group(1).contains("<th"), "every table has header cells: " + table.group(1).substring(0, 80));
        }
        assertFalse(dom.contains("<img"), "no image (and so no image without alt text)");

        Map<String, double[]> contrasts = marksContrast(dom);
        assertEquals(Set.of("ok", "fail", "none"), contrasts.keySet(), "the marks' colours are found in the page's CSS");
        contrasts.forEach((mark, c) -> assertTrue(c[0] >= 4.5, "contrast of the " + mark + " mark: " + c[0] + ":1, at least 4.5:1"));
    }

    /** Contrast ratio (WCAG 2) of each status mark's text colour against its background, from the CSS in the page. */
    static Map<String, double[]> marksContrast(String html) {
        Matcher m = Pattern.compile("\\.mark\\.(ok|fail|none)\\{color:(#[0-9a-fA-F]{6});background:(#[0-9a-fA-F]{6})\\}").matcher(html);
        Map<String, double[]> out = new LinkedHashMap<>();
        while (m.find()) {
            out.put(m.group(1), new double[]{contrast(m.group(2), m.group(3))});
        }
        return out;
    }

    static double contrast(String a, String b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(String hex) {
        int rgb = Integer.parseInt(hex.substring(1), 16);
        return 0.2126 * channel(rgb >> 16 & 0xff) + 0.7152 * channel(rgb >> 8 & 0xff) + 0.0722 * channel(rgb & 0xff);
    }

    private static double channel(int c) {
        double s = c / 255.0;
        return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    }

    @Test
    void contrastIsComputedAsWcagDefinesIt() {
        assertEquals(21.0, contrast("#000000", "#ffffff"), 1e-9);
        assertEquals(1.0, contrast("#777777", "#777777"), 1e-9);
        assertEquals(4.48, contrast("#777777", "#ffffff"), 0.01, "#777 on white: just under AA");
    }

    /** Colour statistics of a screenshot. */
    private record Pixels(int colours, double inkShare, Map<Integer, Integer> histogram) {
        static Pixels of(BufferedImage img) {
            Map<Integer, Integer> histogram = new java.util.HashMap<>();
            Set<Integer> colours = new HashSet<>();
            int background = img.getRGB(0, 0) & 0xffffff;
            long ink = 0;
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int rgb = img.getRGB(x, y) & 0xffffff;
                    colours.add(rgb);
                    histogram.merge(rgb, 1, Integer::sum);
                    if (rgb != background && rgb != 0xffffff) {
                        ink++;
                    }
                }
            }
            return new Pixels(colours.size(), (double) ink / ((long) img.getWidth() * img.getHeight()), histogram);
        }

        int count(String hex) {
            return histogram.getOrDefault(Integer.parseInt(hex.substring(1), 16), 0);
        }
    }
}
