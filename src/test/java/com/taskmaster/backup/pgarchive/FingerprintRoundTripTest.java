package com.taskmaster.backup.pgarchive;

import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GIVEN a database with varied content (src/test/resources/pgarchive/varied.sql) whose defaults are a non-UTC
 * TimeZone and bytea_output escape, WHEN it is dumped with pg_dump -Fc -Z0 (pinned as the backup pins it),
 * fingerprinted from the archive, restored with pg_restore into a fresh database and fingerprinted there,
 * THEN every table, the large objects and every sequence are equal, with exact counts.
 */
class FingerprintRoundTripTest {
    @TempDir
    static Path tmp;
    static PostgresServer pg;
    static DbCredentials source;
    static Path archive;
    static ArchiveFingerprinter.Result archived;

    @BeforeAll
    static void dumpOnce() throws Exception {
        Archives.Fixture f = Archives.varied();
        pg = f.pg();
        source = f.source();
        archive = f.archive();
        archived = f.archived();
    }

    @Test
    void archiveGivesExactCountsPerTable() {
        Map<String, Long> rows = archived.fingerprints().tables().stream()
                .collect(Collectors.toMap(TableDigest::displayName, TableDigest::rows));
        assertEquals(10, rows.get("public.texts"));
        assertEquals(120_000, rows.get("public.big"));
        assertEquals(50, rows.get("public.wide"));
        assertEquals(0, rows.get("public.empty_t"));
        assertEquals(3, rows.get("public.nocols"), "rows of a table without columns are empty lines");
        assertEquals(3, rows.get("public.dups"));
        assertEquals(2, rows.get("public.parent"), "the parent's own rows only");
        assertEquals(3, rows.get("public.child"));
        assertEquals(800, rows.get("public.meas_2024") + rows.get("public.meas_2025") + rows.get("public.meas_other"));
        assertFalse(rows.containsKey("public.meas"), "a partitioned table has no data of its own");
        assertEquals(1, rows.get("public.name with\\nnewline and  spaces"));
        assertEquals(1, rows.get("odd schema.Table \"with\" quotes"));
        assertEquals(4, archived.fingerprints().largeObjects().count());
        assertEquals("(a, c)", table("gen").columns(), "generated columns are not dumped");
    }

    @Test
    void archiveRecordsWhatFixesTheTextForm() {
        TextForm form = archived.fingerprints().textForm();
        assertEquals("1.14.0", form.archiveVersion());
        assertEquals("UTF8", form.clientEncoding());
        assertEquals("on", form.standardConformingStrings());
        assertTrue(form.pgDumpVersion().startsWith("15."), form.pgDumpVersion());
        assertTrue(form.serverVersion().startsWith("15."), form.serverVersion());
        assertEquals("UTC", form.session().timeZone());
        assertEquals(Fingerprints.ALGORITHM, archived.fingerprints().algorithm());
    }

    @Test
    void sequencesComeFromTheirSetvalEntries() {
        Map<String, SequenceValue> seqs = archived.fingerprints().sequences().stream()
                .collect(Collectors.toMap(SequenceValue::displayName, s -> s));
        assertEquals(new SequenceValue("public", "counter_called", 42, true), seqs.get("public.counter_called"));
        assertEquals(new SequenceValue("public", "counter_fresh", 1, false), seqs.get("public.counter_fresh"));
        assertEquals(new SequenceValue("odd schema", "Seq \"q\"", 150, false), seqs.get("odd schema.Seq \"q\""));
        assertEquals(2, seqs.get("public.with_identity_id_seq").lastValue());
    }

    @Test
    void restoredDatabaseHasTheSameFingerprints() throws Exception {
        DbCredentials restored = Archives.restore(pg, archive, "fp_restored", null);
        FingerprintComparison cmp = Archives.compare(restored, archived.fingerprints());
        assertEquals(List.of(), cmp.differences());
        assertTrue(cmp.equal());
        assertEquals(archived.fingerprints().tables().size(), cmp.tables().size());
        assertTrue(cmp.tables().stream().allMatch(t -> t.rowsEqual() && t.digestEqual()));
    }

    @Test
    void sourceDatabaseHasTheSameFingerprintsAsItsArchive() throws Exception {
        // the source itself, read with the recorded settings despite its own defaults (New York, escape)
        assertEquals(List.of(), Archives.compare(source, archived.fingerprints()).differences());
    }

    @Test
    void anUnpinnedDumpDiffersWhereTheSessionDefaultsShow() throws Exception {
        // without PGTZ/PGOPTIONS pg_dump writes timestamptz in New York time and bytea in escape form, while the
        // record says UTC/hex: exactly the tables holding those types differ, which is why the backup pins them
        ArchiveFingerprinter.Result unpinned = Archives.fingerprint(
                Archives.dump(pg, source, tmp.resolve("unpinned.dump"), false), Archives.show(pg, source, "lc_monetary"));
        List<String> differing = Archives.compare(source, unpinned.fingerprints()).tables().stream()
                .filter(t -> !t.equal()).map(t -> t.name()).sorted().toList();
        assertEquals(List.of("bins", "times"), differing);
    }

    @Test
    void verifyRecomputingFromAChangedArchiveNamesTheTable() throws Exception {
        byte[] bytes = java.nio.file.Files.readAllBytes(archive);
        byte[] row = "back\\\\slash".getBytes(java.nio.charset.StandardCharsets.UTF_8);   // COPY text of 'back\\slash'
        int at = indexOf(bytes, row);
        assertTrue(at > 0, "the row is in the archive");
        bytes[at] = 'B';
        Fingerprints recomputed = ArchiveFingerprinter.fingerprint(new java.io.ByteArrayInputStream(bytes), Archives.KEY,
                archived.fingerprints().textForm().session()).fingerprints();
        assertEquals(List.of("public.texts: content differs with equal count (10 rows)"),
                FingerprintComparison.compare(archived.fingerprints(), recomputed).differences());
        assertTrue(FingerprintComparison.compare(archived.fingerprints(), archived.fingerprints()).equal());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static TableDigest table(String name) {
        return archived.fingerprints().tables().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }
}
