package com.taskmaster.backup.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, for tests of pages as a browser shows them. Flags as the machines here need them:
 * no sandbox (the tests run as root in CI; the pages are our own and run no script), no GPU, and none of the
 * background connections (updates, sync, QUIC, first-run) a closed network refuses; a fresh profile per run.
 * Missing Chromium is an error, never a skip: {@code bin/prereqs --test} installs it.
 */
final class Chromium {
    private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
    private static final long TIMEOUT_SECONDS = 180;

    private final String executable;

    private Chromium(String executable) {
        this.executable = executable;
    }

    static Chromium require() {
        List<String> places = new ArrayList<>(CANDIDATES);
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                places.add(Path.of(dir, "chromium").toString());
            }
        }
        return places.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst().map(Chromium::new)
                .orElseThrow(() -> new AssertionError("Chromium not found (looked at " + places + "): the report's browser "
                        + "tests need it. Install it with bin/prereqs --test (Debian: apt-get install chromium)."));
    }

    /** A PNG of the page's top {@code width} × {@code height} pixels. */
    void screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
        run(page, List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height, "--hide-scrollbars"));
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("Chromium wrote no screenshot of " + page);
        }
    }

    /** The page as Chromium parsed it, serialized. */
    String dumpDom(Path page) throws IOException, InterruptedException {
        return run(page, List.of("--dump-dom"));
    }

    /** The page printed (A4, as its print style sheet lays it out). */
    void printToPdf(Path page, Path pdf) throws IOException, InterruptedException {
        run(page, List.of("--print-to-pdf=" + pdf.toAbsolutePath(), "--no-pdf-header-footer"));
        if (!Files.isRegularFile(pdf)) {
            throw new AssertionError("Chromium wrote no PDF of " + page);
        }
    }

    private String run(Path page, List<String> action) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        Path out = Files.createTempFile("chromium", ".out");
        Path err = Files.createTempFile("chromium", ".err");
        try {
            List<String> command = new ArrayList<>(List.of(executable, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-extensions", "--force-device-scale-factor=1", "--user-data-dir=" + profile));
            command.addAll(action);
            command.add(page.toAbsolutePath().toUri().toString());
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("Chromium did not finish within " + TIMEOUT_SECONDS + " s: " + command);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("Chromium exited " + p.exitValue() + ": " + command + "\n" + Files.readString(err));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
