package com.taskmaster.backup.pgarchive;

import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.testing.PostgresServer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Real databases, real pg_dump archives and real restores for the fingerprint tests. */
final class Archives {
    static final FingerprintKey KEY = FingerprintKey.fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    /** The varied database, its pinned archive, and the archive's fingerprints: made once per test JVM. */
    record Fixture(PostgresServer pg, DbCredentials source, Path archive, ArchiveFingerprinter.Result archived) {
        Fingerprints fingerprints() {
            return archived.fingerprints();
        }
    }

    private static Fixture varied;

    static synchronized Fixture varied() throws IOException {
        if (varied == null) {
            PostgresServer pg = PostgresServer.get();
            DbCredentials source = variedDatabase(pg, "fp_varied");
            Path dir = Files.createTempDirectory("tmb-pgarchive-");
            dir.toFile().deleteOnExit();
            Path archive = dump(pg, source, dir.resolve("varied.dump"), true);
            archive.toFile().deleteOnExit();
            varied = new Fixture(pg, source, archive, fingerprint(archive, show(pg, source, "lc_monetary")));
        }
        return varied;
    }

    private Archives() {
    }

    /**
     * A database loaded with src/test/resources/pgarchive/varied.sql whose defaults make a dump's text form depend on
     * the session: TimeZone America/New_York and bytea_output escape (so pinning must work).
     */
    static DbCredentials variedDatabase(PostgresServer pg, String prefix) {
        DbCredentials db = pg.createDatabase(prefix);
        pg.psql("postgres", "ALTER DATABASE " + db.database() + " SET timezone = 'America/New_York'");
        pg.psql("postgres", "ALTER DATABASE " + db.database() + " SET bytea_output = 'escape'");
        PostgresServer.run(List.of(pg.tools().program("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-f", PostgresServer.repoFile("src/test/resources/pgarchive/varied.sql").toString()), db.libpqEnvironment());
        return db;
    }

    /** pg_dump -Fc -Z0 into {@code file}, pinned as the backup pins it (or not). */
    static Path dump(PostgresServer pg, DbCredentials db, Path file, boolean pinned, String... extraArgs) {
        Map<String, String> env = new HashMap<>(db.libpqEnvironment());
        if (pinned) {
            env.putAll(SessionSettings.forPgDump(null).pgDumpEnvironment());
        }
        List<String> cmd = new ArrayList<>(List.of(pg.tools().program("pg_dump").toString(), "--format=custom",
                "--compress=0", "--file=" + file));
        cmd.addAll(List.of(extraArgs));
        PostgresServer.run(cmd, env);
        return file;
    }

    /** A fresh database, {@code setupSql} run in it first (if not null), then the archive restored into it. */
    static DbCredentials restore(PostgresServer pg, Path archive, String prefix, String setupSql) {
        DbCredentials target = pg.createDatabase(prefix);
        if (setupSql != null) {
            pg.psql(target.database(), setupSql);
        }
        PostgresServer.run(List.of(pg.tools().program("pg_restore").toString(), "--exit-on-error",
                "--dbname=" + target.database(), archive.toString()), target.libpqEnvironment());
        return target;
    }

    static Connection connect(DbCredentials db) throws SQLException {
        Properties p = db.jdbcProperties();
        return DriverManager.getConnection(db.jdbcUrl(), p);
    }

    static String show(PostgresServer pg, DbCredentials db, String setting) {
        return pg.psql(db.database(), "SHOW " + setting).strip();
    }

    /** The archive's fingerprints, as the backup takes them, with the source's lc_monetary recorded. */
    static ArchiveFingerprinter.Result fingerprint(Path archive, String lcMonetary) throws IOException {
        try (InputStream in = Files.newInputStream(archive)) {
            return ArchiveFingerprinter.fingerprint(in, KEY, SessionSettings.forPgDump(lcMonetary));
        }
    }

    static DatabaseFingerprinter.Result fingerprintDatabase(DbCredentials db, Fingerprints expected) throws Exception {
        try (Connection c = connect(db)) {
            return DatabaseFingerprinter.fingerprint(c, expected, KEY, Instant.now().plusSeconds(120));
        }
    }

    static FingerprintComparison compare(DbCredentials db, Fingerprints expected) throws Exception {
        return FingerprintComparison.compare(expected, fingerprintDatabase(db, expected));
    }
}
