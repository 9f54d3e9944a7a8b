package com.taskmaster.backup.backup;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pg_dumpall runs while the dump runs, into memory ({@link RoleCapture.Capture}); output larger than the memory allowed
 * is not lost: pg_dumpall runs again after the dump and is streamed, giving the same roles object.
 */
class RoleCaptureTest {
    static DbCredentials db;
    static PgTools tools;

    @TempDir
    Path tmp;

    @BeforeAll
    static void database() {
        db = PostgresServer.get().sampleDatabase("rolecapture", 0.01);
        tools = PostgresServer.get().tools();
    }

    private Manifest.Roles store(FileRepository repo, Envelope key, String attempt, int limit) throws Exception {
        BackupId id = BackupId.manual(Instant.parse("2026-12-02T22:00:00Z"));
        try (RoleCapture.Capture capture = RoleCapture.Capture.start(tools, db, Deadline.NONE, "roles-test", limit)) {
            return RoleCapture.store(repo, key, Map.of("purpose", "test"), Layout.roles(id, attempt), capture, tools, db,
                    List.of("postgres"), Deadline.NONE);
        }
    }

    @Test
    void outputTooLargeToHoldIsStreamedAfterTheDumpWithTheSameContent() throws Exception {
        FileRepository repo = new FileRepository(tmp.resolve("repo"));
        Envelope key = Keys.open("file://" + tmp.resolve("k.key"), () -> null);
        Manifest.Roles held = store(repo, key, "aaaaaaaa", RoleCapture.MAX_HELD);
        Manifest.Roles streamed = store(repo, key, "bbbbbbbb", 16);

        assertEquals(Manifest.Roles.PG_DUMPALL, held.capturedBy());
        assertEquals(Manifest.Roles.PG_DUMPALL, streamed.capturedBy());
        assertTrue(held.object().plainBytes() > 16, "pg_dumpall wrote " + held.object().plainBytes() + " bytes");
        assertEquals(held.object().plainBytes(), streamed.object().plainBytes());
        assertEquals(List.of("postgres"), streamed.referenced());
    }
}
