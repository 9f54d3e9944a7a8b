package com.taskmaster.backup.infra;

import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployment rehearsal (bin/rehearse; infra/README.md, "Rehearsing the deployment") in CI: both stacks created on
 * moto with IAM enforced, every function run as deployed, the negative checks and the alarm wiring. It runs after
 * `package`, on the target/function.zip of this build.
 */
class RehearsalIT {
    private static final Pattern LAST = Pattern.compile(
            "rehearsal: (\\d+) functions ran as deployed, (\\d+) calls allowed, (\\d+) refused as expected, (\\d+) resources skipped");

    @Test
    void everyFunctionRunsAsDeployed() throws Exception {
        Path log = Files.createTempFile("rehearse-", ".log");
        ProcessBuilder pb = new ProcessBuilder(PostgresServer.repoFile("bin/rehearse").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("BACKUP_") || k.startsWith("AWS_") || k.startsWith("QUARKUS_"));
        Process p = pb.start();
        p.getOutputStream().close();
        boolean done = p.waitFor(40, TimeUnit.MINUTES);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(done, "bin/rehearse did not finish in 40 minutes:\n" + tail(out));
        assertEquals(0, p.exitValue(), "bin/rehearse failed:\n" + tail(out));
        // the summary is bin/rehearse's last line of standard output (stderr, merged here, may interleave after it)
        List<String> lines = out.lines().filter(l -> l.startsWith("rehearsal: ")).toList();
        assertEquals(1, lines.size(), "one summary line:\n" + tail(out));
        Matcher m = LAST.matcher(lines.get(0));
        assertTrue(m.matches(), "summary line: " + lines.get(0));
        assertEquals(10, Integer.parseInt(m.group(1)), "functions: template.yaml's ten");
        assertTrue(Integer.parseInt(m.group(2)) > 0 && Integer.parseInt(m.group(3)) > 0, m.group());
        assertFalse(out.contains("DEVIATION"), tail(out));
        Files.delete(log);
    }

    private static String tail(String out) {
        return out.length() > 6000 ? out.substring(out.length() - 6000) : out;
    }
}
