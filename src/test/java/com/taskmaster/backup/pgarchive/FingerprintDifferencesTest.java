package com.taskmaster.backup.pgarchive;

import com.taskmaster.backup.postgres.DbCredentials;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Restored databases that are not what was dumped, and one that is, in another order. */
public class FingerprintDifferencesTest {
    /** An event trigger that gives every new table named texts a row trigger appending '!' to row 3's text. */
    public static final String TAMPERING_TARGET = """
            CREATE FUNCTION public.tamper_row() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.id = 3 THEN NEW.t := NEW.t || '!'; END IF;
              RETURN NEW;
            END $$;
            CREATE FUNCTION public.add_tamper() RETURNS event_trigger LANGUAGE plpgsql AS $$
            DECLARE r record;
            BEGIN
              FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' LOOP
                IF r.object_identity = 'public.texts' THEN
                  EXECUTE format('CREATE TRIGGER tamper BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION public.tamper_row()',
                                 r.object_identity);
                END IF;
              END LOOP;
            END $$;
            CREATE EVENT TRIGGER add_tamper ON ddl_command_end EXECUTE FUNCTION public.add_tamper();
            """;

    @Test
    void aTargetThatAltersInsertedValuesKeepsCountsButIsCaughtByTheDigest() throws Exception {
        Archives.Fixture f = Archives.varied();
        DbCredentials target = Archives.restore(f.pg(), f.archive(), "fp_tampered", TAMPERING_TARGET);
        assertEquals("back\\slash!", f.pg().psql(target.database(), "SELECT t FROM texts WHERE id = 3").strip(),
                "the target did alter the row");

        FingerprintComparison cmp = Archives.compare(target, f.fingerprints());

        assertEquals(List.of("public.texts: content differs with equal count (10 rows)"), cmp.differences());
        FingerprintComparison.TableCheck texts = cmp.tables().stream().filter(t -> t.name().equals("texts")).findFirst().orElseThrow();
        assertTrue(texts.rowsEqual());
        assertFalse(texts.digestEqual());
    }

    @Test
    void eachKindOfDifferenceIsNamed() throws Exception {
        Archives.Fixture f = Archives.varied();
        DbCredentials target = Archives.restore(f.pg(), f.archive(), "fp_changed", null);
        f.pg().psql(target.database(), """
                UPDATE swap_a SET v = 'from b' WHERE id = 1;
                UPDATE swap_b SET v = 'from a' WHERE id = 1;
                DELETE FROM big WHERE id = 5;
                INSERT INTO dups VALUES ('same');
                DELETE FROM dups WHERE v = 'other';
                SELECT lo_put(3000000000, 0, '\\x09'::bytea);
                SELECT setval('counter_called', 43);
                DROP TABLE gen;
                """);

        FingerprintComparison cmp = Archives.compare(target, f.fingerprints());

        List<String> diffs = cmp.differences();
        assertTrue(diffs.contains("public.swap_a: content differs with equal count (2 rows)"), diffs.toString());
        assertTrue(diffs.contains("public.swap_b: content differs with equal count (2 rows)"), diffs.toString());
        assertTrue(diffs.contains("public.big: count differs: 120000 vs 119999"), diffs.toString());
        assertTrue(diffs.contains("public.dups: content differs with equal count (3 rows)"), "a multiset, not a set: " + diffs);
        assertTrue(diffs.contains("large objects: content differs with equal count (4)"), diffs.toString());
        assertTrue(diffs.contains("sequence public.counter_called: value differs: 42 (called) vs 43 (called)"), diffs.toString());
        assertTrue(diffs.stream().anyMatch(d -> d.startsWith("public.gen: could not be read on the restored database: ")
                && d.contains("does not exist")), diffs.toString());
        assertEquals(7, diffs.size(), diffs.toString());
    }

    @Test
    void rowOrderDoesNotMatter() throws Exception {
        Archives.Fixture f = Archives.varied();
        DbCredentials target = Archives.restore(f.pg(), f.archive(), "fp_shuffled", null);
        String firstBefore = f.pg().psql(target.database(), "SELECT id FROM big LIMIT 1").strip();
        f.pg().psql(target.database(), """
                CREATE TEMP TABLE shuffled AS SELECT * FROM big ORDER BY md5(id::text);
                TRUNCATE big;
                INSERT INTO big SELECT * FROM shuffled;
                CREATE TEMP TABLE t2 AS SELECT * FROM texts ORDER BY id DESC;
                DELETE FROM texts;
                INSERT INTO texts SELECT * FROM t2;
                """);
        assertNotEquals(firstBefore, f.pg().psql(target.database(), "SELECT id FROM big LIMIT 1").strip(),
                "the rows are stored in another order now");

        assertEquals(List.of(), Archives.compare(target, f.fingerprints()).differences());
    }

    @Test
    void aPassedDeadlineStopsBeforeTheFirstTable() throws Exception {
        Archives.Fixture f = Archives.varied();
        try (Connection c = Archives.connect(f.source())) {
            FingerprintTimeoutException e = assertThrows(FingerprintTimeoutException.class,
                    () -> DatabaseFingerprinter.fingerprint(c, f.fingerprints(), Archives.KEY, Instant.now().minusSeconds(1)));
            assertTrue(e.getMessage().contains("after 0 of " + f.fingerprints().tables().size() + " tables"), e.getMessage());
            assertTrue(c.getAutoCommit(), "the connection is left as it was");
        }
    }

    @Test
    void aCopyStillWaitingAtTheDeadlineIsCancelled() throws Exception {
        Archives.Fixture f = Archives.varied();
        try (Connection locker = Archives.connect(f.source()); Connection c = Archives.connect(f.source())) {
            locker.setAutoCommit(false);
            try (Statement st = locker.createStatement()) {
                st.execute("LOCK TABLE texts IN ACCESS EXCLUSIVE MODE");
            }
            long t0 = System.nanoTime();
            FingerprintTimeoutException e = assertThrows(FingerprintTimeoutException.class,
                    () -> DatabaseFingerprinter.fingerprint(c, f.fingerprints(), Archives.KEY, Instant.now().plusSeconds(3)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(e.getMessage().contains("while copying table public.texts"), e.getMessage());
            assertTrue(ms < 10_000, "ended near the deadline, not after " + ms + " ms");
            locker.rollback();
        }
    }
}
