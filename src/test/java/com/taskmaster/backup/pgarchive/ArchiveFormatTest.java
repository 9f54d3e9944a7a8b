package com.taskmaster.backup.pgarchive;

import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the reader refuses, and the archive versions it reads besides the one pg_dump 15 writes. */
class ArchiveFormatTest {
    @TempDir
    Path tmp;

    @Test
    void archivesOfPgDump16And17LayoutGiveTheSameFingerprints() throws Exception {
        Archives.Fixture f = Archives.varied();
        byte[] v114 = Files.readAllBytes(f.archive());
        Fingerprints v115 = read(ArchiveVersions.toV115(v114, 0));
        Fingerprints v116 = read(ArchiveVersions.toV116(v114));
        assertEquals("1.15.0", v115.textForm().archiveVersion());
        assertEquals("1.16.0", v116.textForm().archiveVersion());
        assertEquals(f.fingerprints().tables(), v115.tables());
        assertEquals(f.fingerprints().tables(), v116.tables());
        assertEquals(f.fingerprints().largeObjects(), v116.largeObjects());
        assertEquals(f.fingerprints().sequences(), v116.sequences());
    }

    @Test
    void compressedArchivesAreRefusedWithWhatToDo() throws Exception {
        Archives.Fixture f = Archives.varied();
        Path zlib = tmp.resolve("zlib.dump");
        PostgresServer.run(java.util.List.of(f.pg().tools().program("pg_dump").toString(), "-Fc", "--file=" + zlib,
                "--table=texts"), f.source().libpqEnvironment());
        assertRefused(Files.readAllBytes(zlib), "compressed archive (zlib level default)");
        assertRefused(Files.readAllBytes(zlib), "run pg_dump with --compress=0");
        Path z5 = tmp.resolve("z5.dump");
        PostgresServer.run(java.util.List.of(f.pg().tools().program("pg_dump").toString(), "-Fc", "-Z5", "--file=" + z5,
                "--table=texts"), f.source().libpqEnvironment());
        assertRefused(Files.readAllBytes(z5), "compressed archive (zlib level 5)");
        assertRefused(ArchiveVersions.toV115(Files.readAllBytes(f.archive()), 3), "compressed archive (zstd)");
        assertRefused(ArchiveVersions.toV115(Files.readAllBytes(f.archive()), 2), "compressed archive (lz4)");
    }

    @Test
    void otherInputIsRefused() throws Exception {
        Archives.Fixture f = Archives.varied();
        assertRefused(new byte[0], "empty input");
        assertRefused("garbage, not an archive".getBytes(StandardCharsets.US_ASCII), "not a pg_dump custom-format archive");
        assertRefused("--\n-- PostgreSQL database dump\n".getBytes(StandardCharsets.US_ASCII), "plain SQL dump");
        assertRefused(new byte[]{0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0}, "zstd data");
        byte[] archive = Files.readAllBytes(f.archive());
        byte[] newer = archive.clone();
        newer[6] = 17;
        assertRefused(newer, "archive version 1.17.0 is not supported");
        byte[] older = archive.clone();
        older[6] = 11;
        assertRefused(older, "archive version 1.11.0 is not supported");
        byte[] tar = archive.clone();
        tar[10] = 3;
        assertRefused(tar, "archive format 3 is not the custom format");
    }

    @Test
    void truncatedAndExtendedArchivesAreRefused() throws Exception {
        byte[] archive = Files.readAllBytes(Archives.varied().archive());
        for (int cut : new int[]{3, 12, 40, 2_000, archive.length / 2, archive.length - 1}) {
            assertRefused(Arrays.copyOf(archive, cut), "ends");
        }
        byte[] extended = Arrays.copyOf(archive, archive.length + 3);
        extended[archive.length] = 'x';
        assertRefused(extended, "unknown data block type 120");
    }

    @Test
    void anArchiveOfInsertStatementsIsNotCopyText() throws Exception {
        Archives.Fixture f = Archives.varied();
        Path inserts = Archives.dump(f.pg(), f.source(), tmp.resolve("inserts.dump"), true, "--inserts", "--table=texts");
        assertRefused(Files.readAllBytes(inserts), "is not COPY text (copy statement: none: pg_dump --inserts?)");
    }

    private static Fingerprints read(byte[] archive) throws IOException {
        return ArchiveFingerprinter.fingerprint(new ByteArrayInputStream(archive), Archives.KEY,
                SessionSettings.forPgDump(null)).fingerprints();
    }

    private static void assertRefused(byte[] archive, String expected) {
        ArchiveFormatException e = assertThrows(ArchiveFormatException.class, () -> read(archive));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
