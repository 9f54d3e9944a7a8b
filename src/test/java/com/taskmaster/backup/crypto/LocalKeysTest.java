package com.taskmaster.backup.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalKeysTest {
    @TempDir
    Path dir;

    private static Envelope open(String spec) {
        return Keys.open(spec, () -> {
            throw new AssertionError("no KMS for local keys");
        });
    }

    @Test
    void writersCreateAMissingKeyReadableByTheOwnerOnly() throws IOException {
        Path file = dir.resolve("keys/backup.key");
        Envelope e = open("file://" + file);
        assertEquals(32, Files.size(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(e.keyId().matches("local-[0-9a-f]{16}"), e.keyId());
        assertEquals(e.keyId(), open("file://" + file).keyId(), "the same key is used again");
    }

    /**
     * Concurrent first uses of a missing key file (backups started together, or one arriving just as the key file
     * appears): every one gets the same complete key.
     * The key used to be created empty and then written, so a racing open read 0 bytes (and a crash in between left
     * an empty key file that failed every later backup).
     */
    @Test
    void concurrentFirstOpensAllGetTheSameCompleteKeyAndLeaveNoTemporaryFile() throws Exception {
        int threads = 12;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 50; round++) {
                Path file = dir.resolve("round-" + round + "/backup.key");
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<String>> opens = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    boolean late = t % 3 != 0; // two in three arrive the moment the key file appears
                    opens.add(pool.submit(() -> {
                        start.await();
                        while (late && !Files.exists(file)) {
                            Thread.onSpinWait();
                        }
                        return LocalKeys.open(file, true).keyId();
                    }));
                }
                Set<String> ids = new java.util.HashSet<>();
                for (Future<String> f : opens) {
                    ids.add(f.get()); // an open that failed ("holds 0 bytes") throws here
                }
                assertEquals(1, ids.size(), "round " + round + ": one key for all: " + ids);
                assertEquals(32, Files.size(file));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                assertEquals(ids.iterator().next(), LocalKeys.open(file, false).keyId());
                try (Stream<Path> left = Files.list(file.getParent())) {
                    assertEquals(List.of("backup.key"), left.map(p -> p.getFileName().toString()).collect(Collectors.toList()),
                            "round " + round + ": no temporary file left");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void readersNeverCreateAKey() {
        Path file = dir.resolve("typo.key");
        var ex = assertThrows(CryptoException.class, () -> Keys.openExisting("file://" + file, () -> null));
        assertTrue(ex.getMessage().contains("does not exist"), ex.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void keysReadableByOthersOrOfTheWrongSizeAreRefused() throws IOException {
        Path shared = dir.resolve("shared.key");
        open("file://" + shared);
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(assertThrows(CryptoException.class, () -> open("file://" + shared)).getMessage().contains("chmod 600"));

        Path small = dir.resolve("small.key");
        Files.write(small, new byte[16]);
        Files.setPosixFilePermissions(small, PosixFilePermissions.fromString("rw-------"));
        assertTrue(assertThrows(CryptoException.class, () -> open("file://" + small)).getMessage().contains("16 bytes"));
    }

    @Test
    void badSpecsAreRefusedClearly() {
        assertThrows(IllegalArgumentException.class, () -> open(null));
        assertThrows(IllegalArgumentException.class, () -> open("file:relative/key"));
    }
}
