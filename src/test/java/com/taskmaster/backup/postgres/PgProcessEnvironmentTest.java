package com.taskmaster.backup.postgres;

import com.taskmaster.backup.pgarchive.SessionSettings;
import com.taskmaster.backup.testing.FakePgDump;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The backup pins TimeZone and bytea_output for pg_dump through PGTZ and PGOPTIONS; options the connection string
 * already carries (Neon's endpoint=...) are kept, first, not replaced.
 */
class PgProcessEnvironmentTest {
    @TempDir
    Path tmp;

    private String envSeenBy(DbCredentials db) throws Exception {
        PgTools printing = FakePgDump.in(tmp.resolve("bin"), new PgTools(tmp), "echo \"$PGTZ|$PGOPTIONS\"");
        try (PgProcess p = PgProcess.start(printing, "pg_dump", List.of(), db, SessionSettings.forPgDump(null).pgDumpEnvironment())) {
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, p.waitFor(10, TimeUnit.SECONDS));
            return out;
        }
    }

    @Test
    void theSessionPinsJoinTheConnectionsOwnOptions() throws Exception {
        assertEquals("UTC|endpoint=ep-cool-1 -c bytea_output=hex",
                envSeenBy(DbCredentials.fromUrl("postgresql://u:pw@h.example:5432/db?options=endpoint%3Dep-cool-1")));
        assertEquals("UTC|-c bytea_output=hex", envSeenBy(DbCredentials.fromUrl("postgresql://u:pw@h.example:5432/db")));
    }
}
