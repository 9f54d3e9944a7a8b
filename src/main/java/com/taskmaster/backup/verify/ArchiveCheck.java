package com.taskmaster.backup.verify;

import com.taskmaster.backup.postgres.PgProcess;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.postgres.TableFingerprint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Checks that a plain stream is a pg_dump custom archive holding exactly the manifest's tables with the
 * manifest's row counts, using stock {@code pg_restore --file=-} on stdin (no database, no temporary file).
 *
 * <p>Converting the whole archive to a script, rather than {@code pg_restore --list}, reads and decodes every
 * data block, not only the table of contents, and lets the COPY rows be counted. The input is always read to
 * its end, even when pg_restore stops early, so that the reader's own checks (checksum, frames) complete.
 */
final class ArchiveCheck {
    private ArchiveCheck() {
    }

    /** The archive's tables; {@link #differences} compares them with the manifest. */
    record Contents(Map<String, Long> rows) {
    }

    /**
     * Thrown when the stream cannot be read, pg_restore rejects the archive, or the check could not be completed; the
     * message is the reason. {@link #infrastructure()} tells the last (pg_restore missing or stopped before it judged
     * the archive, its output unreadable, a read failing for a reason outside the backup, see {@link Causes}) from a
     * finding about the backup.
     */
    static final class Failed extends Exception {
        private final boolean infrastructure;

        Failed(String message, Throwable cause, boolean infrastructure) {
            super(message, cause);
            this.infrastructure = infrastructure;
        }

        boolean infrastructure() {
            return infrastructure;
        }
    }

    static Contents run(PgTools tools, InputStream plain) throws Failed {
        PgProcess started;
        try {
            started = PgProcess.start(tools, "pg_restore", List.of("--file=-"), null);
        } catch (IllegalStateException e) { // not installed, not executable
            throw new Failed("cannot run pg_restore: " + e.getMessage(), e, true);
        }
        try (PgProcess restore = started) {
            CompletableFuture<Exception> feeding = CompletableFuture.supplyAsync(() -> feed(plain, restore.stdin()),
                    command -> { Thread t = new Thread(command, "verify-feed"); t.setDaemon(true); t.start(); });
            Map<String, Long> rows;
            IOException scanFailure = null;
            try (InputStream script = restore.stdout()) {
                rows = RestoreScript.scan(script);
            } catch (IOException e) {
                rows = Map.of();
                scanFailure = e;
            }
            Exception readFailure = feeding.join();
            int exit = restore.waitFor(60, TimeUnit.SECONDS);
            if (readFailure != null) { // the stored object is at fault: say so first, pg_restore only saw its consequences
                throw new Failed(readFailure.getMessage(), readFailure, Causes.infrastructure(readFailure));
            }
            if (exit != 0) {
                boolean stopped = restore.killedBecause() != null; // by us (timeout, interruption): no verdict of pg_restore's
                throw new Failed((stopped ? "pg_restore was stopped before it had read the archive: "
                        : "not a valid pg_dump archive: ") + restore.failure(exit), null, stopped);
            }
            if (scanFailure instanceof RestoreScript.Malformed) {
                throw new Failed("pg_restore's output is incomplete: " + scanFailure.getMessage(), scanFailure, false);
            }
            if (scanFailure != null) {
                throw new Failed("cannot read pg_restore's output: " + scanFailure.getMessage(), scanFailure, true);
            }
            return new Contents(rows);
        }
    }

    /** Copies the archive into pg_restore; returns the read failure, if any. A closed pipe is pg_restore's failure, reported by its exit code. */
    private static Exception feed(InputStream plain, OutputStream stdin) {
        byte[] buf = new byte[256 * 1024];
        boolean piping = true;
        try (plain) {
            int n;
            while ((n = plain.read(buf)) >= 0) {
                if (piping && n > 0) {
                    try {
                        stdin.write(buf, 0, n);
                    } catch (IOException pipeClosed) {
                        piping = false; // keep reading to the end: the checksum is checked there
                    }
                }
            }
        } catch (IOException | RuntimeException e) { // unchecked: e.g. an AWS SDK client error from the stored object's stream
            return e;
        } finally {
            try {
                stdin.close();
            } catch (IOException ignored) {
                // pg_restore already gone
            }
        }
        return null;
    }

    /**
     * Human-readable differences between the archive and the manifest's tables; empty when they agree. The archive's
     * names are those of pg_restore's comments, where a newline or carriage return in a name is printed as a space
     * ({@code sanitize_line}): the manifest's names are compared in that form (two tables that then share a name are
     * compared by their rows together, as the script's counts of that name add up).
     */
    static List<String> differences(Contents archive, List<TableFingerprint> manifest) {
        Map<String, Long> expected = new TreeMap<>();
        manifest.forEach(t -> expected.merge(asInComments(t.qualifiedName()), t.rows(), Long::sum));
        List<String> out = new ArrayList<>();
        List<String> missing = expected.keySet().stream().filter(k -> !archive.rows().containsKey(k)).toList();
        List<String> unexpected = archive.rows().keySet().stream().filter(k -> !expected.containsKey(k)).sorted().toList();
        if (!missing.isEmpty()) {
            out.add("tables in the manifest without data in the archive: " + missing);
        }
        if (!unexpected.isEmpty()) {
            out.add("table data in the archive not in the manifest: " + unexpected);
        }
        expected.forEach((table, rows) -> {
            Long actual = archive.rows().get(table);
            if (actual != null && actual.longValue() != rows) {
                out.add("table " + table + " has " + actual + " rows in the archive, " + rows + " in the manifest");
            }
        });
        return out;
    }

    /** A name as pg_restore prints it in a comment line: newlines and carriage returns become spaces. */
    static String asInComments(String name) {
        return name.replace('\n', ' ').replace('\r', ' ');
    }
}
