package com.taskmaster.backup.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

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
