package com.taskmaster.backup.pgarchive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference script docs/fingerprint.py (psql + Python standard library) agrees with the Java digests on a
 * real restored database, from the fingerprints as JSON: what a person without this tool would run.
 */
class FingerprintScriptTest {
    @TempDir
    Path tmp;

    @Test
    void scriptConfirmsARestoredDatabaseAndNamesATamperedTable() throws Exception {
        Archives.Fixture f = Archives.varied();
        Path json = tmp.resolve("fingerprints.json");
        new ObjectMapper().writeValue(json.toFile(), f.fingerprints());
        Path key = tmp.resolve("fingerprint.key");
        Files.writeString(key, HexFormat.of().formatHex(Archives.KEY.bytes()) + "\n");

        DbCredentials restored = Archives.restore(f.pg(), f.archive(), "fp_script", null);
        Result ok = script(restored, "check", "--key-file", key.toString(), json.toString());
        assertEquals(0, ok.exit(), ok.out());
        assertTrue(ok.out().endsWith("all equal\n"), ok.out());
        TableDigest big = f.fingerprints().tables().stream().filter(t -> t.name().equals("big")).findFirst().orElseThrow();
        assertTrue(ok.out().contains("ok 'public.big': 120000 rows, digest " + big.digest()), ok.out());

        f.pg().psql(restored.database(), "UPDATE texts SET t = 'changed' WHERE id = 1; SELECT setval('counter_fresh', 9)");
        Result bad = script(restored, "check", "--key-file", key.toString(), json.toString());
        assertEquals(1, bad.exit(), bad.out());
        assertTrue(bad.out().contains("DIFFERS 'public.texts': content differs with equal count (10 rows)"), bad.out());
        assertTrue(bad.out().contains("DIFFERS sequence 'public.counter_fresh'"), bad.out());
        assertTrue(bad.out().endsWith("2 difference(s)\n"), bad.out());
    }

    @Test
    void fingerprintsJsonHasTheDocumentedShape() throws Exception {
        JsonNode j = new ObjectMapper().valueToTree(Archives.varied().fingerprints());
        assertEquals(List.of("algorithm", "textForm", "tables", "largeObjects", "sequences"), fields(j));
        assertEquals(List.of("archiveVersion", "serverVersion", "pgDumpVersion", "clientEncoding",
                "standardConformingStrings", "session"), fields(j.get("textForm")));
        assertEquals(List.of("dateStyle", "intervalStyle", "extraFloatDigits", "timeZone", "byteaOutput", "lcMonetary"),
                fields(j.get("textForm").get("session")));
        assertEquals(List.of("schema", "name", "columns", "rows", "digest"), fields(j.get("tables").get(0)));
        assertEquals(List.of("count", "digest"), fields(j.get("largeObjects")));
        assertEquals(List.of("schema", "name", "lastValue", "isCalled"), fields(j.get("sequences").get(0)));
        assertEquals(Archives.varied().fingerprints(), new ObjectMapper().treeToValue(j, Fingerprints.class));
    }

    private static List<String> fields(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    record Result(int exit, String out) {
    }

    private static Result script(DbCredentials db, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", PostgresServer.repoFile("docs/fingerprint.py").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().putAll(db.libpqEnvironment());
        String pgBin = PostgresServer.get().tools().program("psql").getParent().toString();
        pb.environment().put("PATH", pgBin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

}
