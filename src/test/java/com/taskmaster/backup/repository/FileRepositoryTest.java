package com.taskmaster.backup.repository;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileRepositoryTest extends RepositoryContractTest {
    @TempDir
    Path dir;

    @Override
    protected Repository newRepository() {
        return new FileRepository(dir.resolve("repo"));
    }

    @Override
    protected void assertNoLeftovers() {
        try (Stream<Path> all = Files.walk(dir)) {
            assertEquals(0, all.filter(p -> p.getFileName().toString().startsWith(".tmp-")).count(), "temporary files left");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void putForeign(String relativeKey, byte[] content) {
        try {
            Path p = dir.resolve("repo").resolve(relativeKey);
            Files.createDirectories(p.getParent());
            Files.write(p, content);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void objectsAreReadableByTheOwnerOnly() throws IOException {
        repo.putIfAbsent(ObjectKey.of("manifests/a.json"), new byte[] {1});
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("repo/manifests/a.json"))));
    }

    @Test
    void aPendingWriteIsDatedByItsLastWrite() throws IOException {
        try (ObjectWriter w = repo.create(ObjectKey.of("data/x.bin"))) {
            w.stream().write(new byte[] {1});
            java.time.Instant since = repo.pendingWrites().get(0).since();
            assertTrue(Math.abs(java.time.Duration.between(since, java.time.Instant.now()).toSeconds()) < 60, since.toString());
        }
    }

    @Test
    void discardRefusesAnythingButItsOwnTemporaryFiles() throws IOException {
        repo.putIfAbsent(ObjectKey.of("data/real.bin"), new byte[] {1});
        for (String handle : java.util.List.of("data/real.bin", "../outside", "data/.tmp-real.bin.not-a-uuid")) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> repo.discard(new PendingWrite(ObjectKey.of("data/real.bin"), handle, java.time.Instant.EPOCH)));
        }
        assertTrue(repo.stat(ObjectKey.of("data/real.bin")).isPresent());
    }

    @Test
    void uriNamesTheDirectory() {
        assertTrue(repo.uri().startsWith("file:///"), repo.uri());
        assertEquals(repo.uri() + "/data/x", repo.uriOf(ObjectKey.of("data/x")));
    }
}
