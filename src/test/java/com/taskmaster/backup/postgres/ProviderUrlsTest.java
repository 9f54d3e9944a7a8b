package com.taskmaster.backup.postgres;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupResult;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.format.Verification;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.restore.RestoreRequest;
import com.taskmaster.backup.restore.RestoreResult;
import com.taskmaster.backup.restore.RestoreService;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.TlsPostgres;
import com.taskmaster.backup.verify.VerifyRequest;
import com.taskmaster.backup.verify.VerifyResult;
import com.taskmaster.backup.verify.VerifyService;
import com.taskmaster.backup.verify.VerifySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A URL shaped exactly like Neon's console string ({@code ?sslmode=require&channel_binding=require}) end to end against
 * the TLS server: backup, verify, restore, through the same policy the handlers apply. The host is {@code localhost}
 * (Neon's name would not resolve here), so the TLS defaults leave the URL as given, as for any unknown host.
 */
class ProviderUrlsTest {
    private static final String NEON_QUERY = "sslmode=require&channel_binding=require";

    @TempDir
    Path tmp;

    private static DbCredentials resolve(String url) {
        return ConnectionPolicy.of("verify", "/nonexistent", false, Optional.empty()).apply(ConnectionSpec.fromUrl(url));
    }

    @Test
    void neonsConsoleStringBacksUpVerifiesAndRestores() throws Exception {
        TlsPostgres server = TlsPostgres.get();
        server.sampleDatabase("neondb", 0.05);
        server.createDatabase("neondb_restored");
        DbCredentials source = resolve(server.url("localhost", "neondb", NEON_QUERY));
        DbCredentials target = resolve(server.url("localhost", "neondb_restored", NEON_QUERY));
        assertEquals("require", source.libpqEnvironment().get("PGCHANNELBINDING"));

        Repository repo = new FileRepository(tmp.resolve("repo"));
        Envelope key = Keys.open("file://" + tmp.resolve("backup.key"), () -> null);
        Clock clock = Clock.systemUTC();
        BackupResult backup = new BackupService(repo, key, PostgresServer.get().tools(), clock)
                .run(new BackupRequest(null, null, Trigger.manual()), source, "r-neon", Deadline.NONE);
        assertTrue(backup.tableCount() > 0);

        VerifyResult verified = new VerifyService(repo, Optional.empty(), key, PostgresServer.get().tools(), clock,
                VerifySettings.of("7d", "26h", 0.5, 0.5)).run(new VerifyRequest(Optional.empty()), "r-neon", Deadline.NONE);
        assertEquals(List.of(Verification.Outcome.passed), verified.checked().stream().map(VerifyResult.Checked::outcome).toList());

        RestoreResult restored = new RestoreService(repo, key, PostgresServer.get().tools(), clock).run(
                new RestoreRequest(Optional.of(com.taskmaster.backup.format.BackupId.parse(backup.backupId())), Optional.empty(), "postgresql://neon-restore", Optional.empty()),
                target, Deadline.NONE);
        assertTrue(restored.fingerprintsEqual());
        assertEquals(backup.tableCount(), restored.tablesRestored());

        String everything = backup + " " + verified + " " + restored;
        assertFalse(everything.contains(server.admin().password()), "password in a result");
        // The connections really were TLS with channel binding required (refused without TLS, as in TlsConnectionTest).
        assertThrows(RuntimeException.class, () -> TlsConnectionTest.psql(resolve(server.url("localhost", "neondb",
                "sslmode=disable&channel_binding=require")), "SELECT 1"));
    }

    @Test
    void neonsEndpointOptionIsHandedToTheServerByBothClients() {
        // Neon's proxy consumes endpoint=...; a plain PostgreSQL refuses it, which shows both clients send it unchanged.
        TlsPostgres server = TlsPostgres.get();
        DbCredentials db = resolve(server.url("localhost", "postgres", NEON_QUERY + "&options=endpoint%3Dep-cool-darkness-123456"));
        DatabaseException jdbc = assertThrows(DatabaseException.class, () -> SnapshotSession.connect(db).close());
        assertTrue(jdbc.getMessage().contains("endpoint=ep-cool-darkness-123456"), jdbc.getMessage());
        IllegalStateException libpq = assertThrows(IllegalStateException.class, () -> TlsConnectionTest.psql(db, "SELECT 1"));
        assertTrue(libpq.getMessage().contains("endpoint=ep-cool-darkness-123456"), libpq.getMessage());
    }
}
