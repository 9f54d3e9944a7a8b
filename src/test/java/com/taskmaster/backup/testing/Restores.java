package com.taskmaster.backup.testing;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.format.BackupReader;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.SnapshotSession;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.repository.Repository;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Test-side restore: read a backup back through {@link BackupReader}, pg_restore it, count its tables. */
public final class Restores {
    private Restores() {
    }

    public static Path decryptToFile(Repository repo, Manifest manifest, Envelope envelope, Path dir) throws IOException {
        Path file = dir.resolve(manifest.backupId() + ".pgdump");
        try (InputStream in = BackupReader.open(repo, manifest, envelope)) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** Restores the archive into a new database with stock pg_restore and returns its credentials. */
    public static DbCredentials pgRestore(Path archive) {
        PostgresServer pg = PostgresServer.get();
        DbCredentials target = pg.createDatabase("restored");
        PostgresServer.run(List.of(pg.tools().program("pg_restore").toString(), "--exit-on-error", "--no-owner",
                "--dbname=" + target.database(), archive.toString()), target.libpqEnvironment());
        return target;
    }

    public static List<TableFingerprint> fingerprints(DbCredentials db, List<TableFingerprint> like) throws SQLException {
        try (Connection c = SnapshotSession.connect(db)) {
            return SnapshotSession.countRows(c, like.stream().map(t -> new String[] {t.schema(), t.name()}).toList());
        }
    }

    /** pg_restore --list of the archive (stock tool: proves the archive's structure). */
    public static String list(Path archive) {
        return PostgresServer.run(List.of(PostgresServer.get().tools().program("pg_restore").toString(), "--list",
                archive.toString()), java.util.Map.of());
    }
}
