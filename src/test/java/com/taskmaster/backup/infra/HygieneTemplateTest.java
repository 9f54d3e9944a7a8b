package com.taskmaster.backup.infra;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static com.taskmaster.backup.infra.TemplateReader.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Static checks of the deployment files: the layer build script, long-form intrinsics (the templates stay
 * plain YAML for Jackson), and cfn-lint.
 */
class HygieneTemplateTest {
    @BeforeAll
    static void load() throws IOException {
        TemplateReader.load();
    }

    /**
     * The layer build script cannot run here (it needs Docker): it parses, refuses bad arguments before touching
     * anything, and writes the zip name that the READMEs publish.
     */
    @Test
    void layerBuildScriptIsCheckedStatically() throws IOException, InterruptedException {
        Path script = root.resolve("infra/layer/build-pg-layer.sh");
        assertTrue(Files.isExecutable(script), script + " must be executable");
        assertEquals(0, run(List.of("bash", "-n", script.toString())), "bash -n " + script);
        assertEquals(2, run(List.of(script.toString(), "not-a-version")), "usage error (exit 2) for a bad major version");
        assertEquals(2, run(List.of(script.toString(), "16", "sparc")), "usage error (exit 2) for a bad architecture");
        String text = Files.readString(script, StandardCharsets.UTF_8);
        assertTrue(text.contains("ZIP_NAME=\"pg-tools-${PG_MAJOR}-${ARCH}.zip\"") && text.contains("DIST_DIR=\"$SCRIPT_DIR/dist\""),
                "the script writes infra/layer/dist/pg-tools-<major>-<arch>.zip, as the READMEs publish it");
    }


    @Test
    void templatesUseLongFormIntrinsics() throws IOException {
        Pattern shortForm = Pattern.compile("(^|[\\s:\\[,-])!(Ref|Sub|GetAtt|If|Join|Select|Split|Equals|Not|And|Or"
                + "|FindInMap|ImportValue|Base64|Cidr|GetAZs|Condition|Transform)\\b");
        List<String> problems = new ArrayList<>();
        for (Path p : templateFiles(root)) {
            List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String code = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
                if (shortForm.matcher(code).find()) {
                    problems.add(root.relativize(p) + ":" + (i + 1) + ": short-form intrinsic (use Ref:/Fn::...): " + line.trim());
                }
                if (code.matches(".*(^|\\s)[&*][A-Za-z].*") && !code.contains("'") && !code.contains("\"")) {
                    problems.add(root.relativize(p) + ":" + (i + 1) + ": YAML anchor/alias: " + line.trim());
                }
            }
        }
        assertNoProblems(problems);
    }


    /**
     * Runs {@code cfn-lint template.yaml infra/*.yaml} (it also applies the SAM transform). Warnings
     * fail too: cfn-lint exits non-zero on warnings; justified exceptions belong in the template's
     * {@code Metadata: cfn-lint: config: ignore_checks}.
     */
    @Test
    void cfnLintIsClean() throws IOException, InterruptedException {
        Path cfnLint = findCfnLint();
        if (cfnLint == null) {
            fail("cfn-lint not found on PATH, in ~/.pyenv/shims or ~/.local/bin: pip install cfn-lint");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(cfnLint.toString());
        for (Path p : templateFiles(root)) {
            cmd.add(root.relativize(p).toString());
        }
        Process process = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("cfn-lint did not finish within 5 minutes:\n" + output);
        }
        assertEquals(0, process.exitValue(), () -> String.join(" ", cmd) + " failed:\n" + output);
    }
}
