package com.taskmaster.backup.pgarchive;

import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A LATIN1 database: its archive's COPY text is LATIN1, so the restore side must copy in LATIN1 too, which
 * pgJDBC allows only on a connection opened with allowEncodingChanges=true.
 */
class FingerprintEncodingTest {
    @TempDir
    Path tmp;

    @Test
    void aLatin1DatabaseRoundTripsWithAllowEncodingChanges() throws Exception {
        PostgresServer pg = PostgresServer.get();
        DbCredentials source = latin1Database(pg, "fp_latin1");
        java.util.Map<String, String> utf8 = new java.util.HashMap<>(source.libpqEnvironment());
        utf8.put("PGCLIENTENCODING", "UTF8");   // the statement's text is UTF-8; the server stores it in LATIN1
        PostgresServer.run(List.of(pg.tools().program("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                "CREATE TABLE \"café\" (id int, \"naïve\" text); "
                + "INSERT INTO \"café\" VALUES (1, 'crème brûlée'), (2, E'tab\\tÿ'), (3, NULL)"), utf8);
        Path archive = Archives.dump(pg, source, tmp.resolve("latin1.dump"), true);
        ArchiveFingerprinter.Result archived = Archives.fingerprint(archive, null);
        assertEquals("LATIN1", archived.fingerprints().textForm().clientEncoding());
        TableDigest cafe = archived.fingerprints().tables().get(0);
        assertEquals("café", cafe.name(), "names are decoded in the archive's encoding");
        assertEquals("(id, \"naïve\")", cafe.columns());
        assertEquals(3, cafe.rows());

        DbCredentials target = latin1Database(pg, "fp_latin1_restored");
        PostgresServer.run(List.of(pg.tools().program("pg_restore").toString(), "--exit-on-error",
                "--dbname=" + target.database(), archive.toString()), target.libpqEnvironment());
        try (Connection c = connect(target, true)) {
            FingerprintComparison cmp = FingerprintComparison.compare(archived.fingerprints(),
                    DatabaseFingerprinter.fingerprint(c, archived.fingerprints(), Archives.KEY, Instant.now().plusSeconds(60)));
            assertEquals(List.of(), cmp.differences());
        }
        try (Connection c = connect(target, false)) {
            SQLException e = assertThrows(SQLException.class, () -> DatabaseFingerprinter.fingerprint(c,
                    archived.fingerprints(), Archives.KEY, Instant.now().plusSeconds(60)));
            assertTrue(e.getMessage().startsWith("cannot switch to the archive's client encoding LATIN1 (open the connection "
                    + "with allowEncodingChanges=true"), e.getMessage());
        }
    }

    private static DbCredentials latin1Database(PostgresServer pg, String prefix) {
        String name = prefix + "_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100000;
        pg.psql("postgres", "CREATE DATABASE " + name + " ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
        return pg.admin().withDatabase(name);
    }

    private static Connection connect(DbCredentials db, boolean allowEncodingChanges) throws SQLException {
        Properties p = db.jdbcProperties();
        p.setProperty("allowEncodingChanges", Boolean.toString(allowEncodingChanges));
        return DriverManager.getConnection(db.jdbcUrl(), p);
    }
}
