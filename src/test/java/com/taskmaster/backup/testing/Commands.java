package com.taskmaster.backup.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Standard tools run as subprocesses, for the tests that follow the recovery documents literally
 * (docs/FORMAT.md, docs/RECOVERY.md): finding them (PATH, then ~/.pyenv/shims, as MotoServer finds moto_server)
 * and running them with a clean environment (no PG* or AWS_* variables but those given).
 */
public final class Commands {
    private Commands() {
    }

    public record Result(int exit, String stdout, String stderr, List<String> command) {
        public Result checkOk() {
            assertEquals(0, exit, command + " failed: " + stderr + stdout);
            return this;
        }
    }

    /** Runs {@code command} in {@code dir} (null: the current directory); output goes through files in {@code tmp}. */
    public static Result exec(Path tmp, Path dir, Map<String, String> env, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("AWS_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), List.copyOf(command));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** An executable from PATH or ~/.pyenv/shims, or null. */
    public static String find(String name) {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, name));
            }
        }
        candidates.add(Path.of(System.getProperty("user.home"), ".pyenv", "shims", name));
        return candidates.stream().filter(Files::isExecutable).map(Path::toString).findFirst().orElse(null);
    }

    /** Like {@link #find}, failing with {@code hint} when it is missing. */
    public static String require(String name, String hint) {
        String exe = find(name);
        if (exe == null) {
            throw new IllegalStateException(name + " not found (PATH or ~/.pyenv/shims): " + hint);
        }
        return exe;
    }

    /** The first python3 (PATH, then ~/.pyenv/shims) that has the decryptor's packages: cryptography and boto3. */
    public static String python() {
        List<String> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "python3"))) {
                candidates.add(Path.of(dir, "python3").toString());
            }
        }
        Path shim = Path.of(System.getProperty("user.home"), ".pyenv", "shims", "python3");
        if (Files.isExecutable(shim)) {
            candidates.add(shim.toString());
        }
        for (String c : candidates) {
            try {
                Process p = new ProcessBuilder(c, "-c", "import cryptography, boto3").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return c;
                }
            } catch (IOException e) {
                // try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no python3 with the packages cryptography and boto3 found (PATH or "
                + "~/.pyenv/shims; tried " + candidates + "): install them with pip install cryptography boto3");
    }
}
