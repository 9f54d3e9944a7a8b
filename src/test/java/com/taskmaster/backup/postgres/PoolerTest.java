package com.taskmaster.backup.postgres;

import com.taskmaster.backup.backup.BackupFailedException;
import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.PgBouncer;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A real PgBouncer: in transaction mode it is refused before anything is written; in session mode the probe passes.
 * (A whole backup through PgBouncer 1.18 in session mode fails since pg_dump sends the {@code options} startup
 * parameter, which PgBouncer refuses unless {@code ignore_startup_parameters} lists it.)
 */
class PoolerTest {
    static DbCredentials source;
    static PgBouncer bouncer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        source = PostgresServer.get().sampleDatabase("pooled", 0.05);
        bouncer = PgBouncer.start(source);
    }

    private BackupService backups() {
        return new BackupService(new FileRepository(tmp.resolve("repo")), Keys.open("file://" + tmp.resolve("backup.key"), () -> {
            throw new AssertionError("no KMS for local keys");
        }), PostgresServer.get().tools(), Clock.systemUTC());
    }

    @Test
    void theProbeFindsTransactionPooling() {
        Poolers.PoolerException e = assertThrows(Poolers.PoolerException.class, () -> Poolers.probe(bouncer.transactionPooled()));
        assertTrue(e.getMessage().contains("behaves like a transaction-pooling endpoint"), e.getMessage());
        assertTrue(e.getMessage().contains("use the direct (session) endpoint"), e.getMessage());
        Poolers.probe(bouncer.sessionPooled());
        Poolers.probe(source);
    }

    @Test
    void aBackupThroughTransactionPoolingFailsBeforeWritingAnything() throws Exception {
        DbCredentials pooled = bouncer.transactionPooled();
        BackupFailedException e = assertThrows(BackupFailedException.class,
                () -> backups().run(new BackupRequest(null, null, Trigger.manual()), pooled, "r", Deadline.NONE));
        assertTrue(e.getMessage().contains("use the direct (session) endpoint"), e.getMessage());
        assertFalse(e.getMessage().contains(source.password()));
        Path repo = tmp.resolve("repo");
        try (Stream<Path> files = Files.exists(repo) ? Files.walk(repo).filter(Files::isRegularFile) : Stream.empty()) {
            assertEquals(0, files.count(), "nothing written");
        }
    }
}
