package com.taskmaster.backup.repository;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The views Services hands the commands: GIVEN a full repository, THEN the read-only view reads it and is no
 * AppendOnlyRepository, and the append-only view adds to it (never replacing) and is no Repository, so that no
 * command can cast its way to deleting.
 */
class RepositoryViewsTest {
    @TempDir
    Path dir;

    @Test
    void theReadOnlyViewReadsAndCannotBeCastToWrite() {
        Repository full = new FileRepository(dir.resolve("repo"));
        full.putIfAbsent(ObjectKey.of("manifests/a.json"), bytes("a"));
        ReadableRepository view = Repositories.readOnly(full);
        assertFalse(view instanceof AppendOnlyRepository);
        assertEquals(full.uri(), view.uri());
        assertEquals(full.uriOf(ObjectKey.of("manifests/a.json")), view.uriOf(ObjectKey.of("manifests/a.json")));
        assertArrayEquals(bytes("a"), view.read(ObjectKey.of("manifests/a.json")));
        assertEquals(1, view.list("manifests/").size());
        assertTrue(view.stat(ObjectKey.of("manifests/a.json")).isPresent());
        assertThrows(NoSuchObjectException.class, () -> view.open(ObjectKey.of("manifests/b.json")));
    }

    @Test
    void theAppendOnlyViewAddsNeverReplacesAndCannotBeCastToDelete() throws Exception {
        Repository full = new FileRepository(dir.resolve("repo"));
        AppendOnlyRepository view = Repositories.appendOnly(full);
        assertFalse(view instanceof Repository);
        assertFalse(view.withSizeHint(1 << 30) instanceof Repository, "a size hint keeps the view");
        view.putIfAbsent(ObjectKey.of("manifests/a.json"), bytes("a"));
        assertThrows(ObjectExistsException.class, () -> view.putIfAbsent(ObjectKey.of("manifests/a.json"), bytes("b")));
        try (ObjectWriter w = view.create(ObjectKey.of("data/x.bin"))) {
            w.stream().write(bytes("x"));
            w.commit();
        }
        assertArrayEquals(bytes("a"), full.read(ObjectKey.of("manifests/a.json")));
        assertArrayEquals(bytes("x"), full.read(ObjectKey.of("data/x.bin")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
