package com.taskmaster.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupResult;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.Commands.Result;
import com.taskmaster.backup.testing.Commands;
import com.taskmaster.backup.testing.MotoServer;
import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.Restores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/FORMAT.md is enough to restore a backup without this software: real backups (local key file, and S3 with
 * KMS in moto) are recovered by following its procedure with standard tools only: the reference decryptor
 * docs/decrypt_backup.py (Python, cryptography, boto3), zstd and pg_restore. Nothing here reads a backup back
 * through this project's own code.
 */
class FormatDocumentationTest {
    static DbCredentials sample;
    static PgTools tools;
    static String python;
    static String zstd;
    static Path script;

    @TempDir
    Path tmp;

    @BeforeAll
    static void prerequisites() {
        python = Commands.python();
        zstd = Commands.require("zstd", "install it with apt-get install zstd");
        script = PostgresServer.repoFile("docs/decrypt_backup.py");
        sample = PostgresServer.get().sampleDatabase("fmtdoc", 1);
        tools = PostgresServer.get().tools();
    }

    @Test
    void localKeyBackupRestoresWithTheDocumentedProcedure() throws Exception {
        Path repoDir = tmp.resolve("repo");
        Path keyFile = tmp.resolve("keys/backup.key");
        BackupResult r = new BackupService(new FileRepository(repoDir), Keys.open("file://" + keyFile, () -> {
            throw new AssertionError("no KMS for local keys");
        }), tools, Clock.systemUTC()).run(new BackupRequest("fmt-doc", null, Trigger.manual()), sample, "req-fmt-1", Deadline.NONE);

        // 1. The manifest names the data object; both are plain files in the repository.
        Path manifestFile = repoDir.resolve("manifests/" + r.backupId() + ".json");
        JsonNode m = Json.MAPPER.readTree(Files.readAllBytes(manifestFile));
        assertEquals("taskmaster-backup-local", m.at("/encryption/keyProvider").asText());
        Path data = repoDir.resolve(m.at("/data/key").asText());
        assertTrue(m.at("/data/key").asText().matches("data/" + r.backupId() + "\\.[0-9a-f]{8}\\.pgdump\\.zst\\.esdk"), m.toString());

        recoverAndCompare(m, manifestFile, data, List.of("--key-file", keyFile.toString()), Map.of());

        // Tampering, truncation and a backup that is not the one expected all fail with one clear line.
        byte[] stored = Files.readAllBytes(data);
        byte[] flipped = stored.clone();
        flipped[flipped.length / 2] ^= 0x01;
        assertRefused(flipped, List.of("--key-file", keyFile.toString()), "frame", "failed authentication");
        assertRefused(Arrays.copyOf(stored, stored.length - 1000), List.of("--key-file", keyFile.toString()), "truncated");
        assertRefused(Arrays.copyOf(stored, stored.length + 1), List.of("--key-file", keyFile.toString()),
                "trailing bytes after the final frame");
        assertRefused(stored, List.of("--key-file", keyFile.toString(), "--expect-context", "database=production"),
                "encryption context mismatch for 'database'", "production", sample.database());
        // With --manifest too, the failing frame is named (the stored bytes' digest is compared at the end).
        assertRefused(flipped, List.of("--key-file", keyFile.toString(), "--manifest", manifestFile.toString()),
                "failed authentication");
        // A manifest is the backup its name says: another backup's manifest copied under this name is refused.
        Path renamed = Files.copy(manifestFile, tmp.resolve("20260101T000000Z-daily.json"));
        assertRefused(stored, List.of("--key-file", keyFile.toString(), "--manifest", renamed.toString()),
                "names backup '" + r.backupId() + "', not '20260101T000000Z-daily'");
        Path unnamed = Files.copy(manifestFile, tmp.resolve("manifest.json"));
        assertRefused(stored, List.of("--key-file", keyFile.toString(), "--manifest", unnamed.toString()), "--backup-id");
        Path otherKey = tmp.resolve("other.key");
        Files.write(otherKey, new byte[32]);
        assertRefused(stored, List.of("--key-file", otherKey.toString()), "encrypted under local key '"
                + m.at("/encryption/keyId").asText() + "'");
    }

    @Test
    void kmsBackupInS3RestoresWithTheDocumentedProcedure() throws Exception {
        String bucket = AwsFixtures.bucket("fmtdoc");
        String keyArn = AwsFixtures.kmsKey();
        BackupResult r = new BackupService(new S3Repository(MotoServer.get().s3(), bucket, "backups", 0),
                Keys.openKms(keyArn, MotoServer.get().kms()), tools, Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), sample, "req-fmt-2", Deadline.NONE);

        Map<String, String> aws = new HashMap<>(MotoServer.get().childEnvironment());
        aws.put("AWS_DEFAULT_REGION", aws.get("AWS_REGION")); // the AWS CLI v1 reads only this one
        Path manifestFile = tmp.resolve(r.backupId() + ".json");
        download(bucket, "backups/manifests/" + r.backupId() + ".json", manifestFile, aws);
        JsonNode m = Json.MAPPER.readTree(Files.readAllBytes(manifestFile));
        assertEquals("aws-kms", m.at("/encryption/keyProvider").asText());
        assertEquals(keyArn, m.at("/encryption/keyId").asText());
        Path data = tmp.resolve(Path.of(m.at("/data/key").asText()).getFileName().toString());
        download(bucket, "backups/" + m.at("/data/key").asText(), data, aws);

        recoverAndCompare(m, manifestFile, data, List.of("--kms"), aws);

        byte[] stored = Files.readAllBytes(data);
        assertRefused(stored, List.of("--kms", "--expect-context", "backupId=20260101T000000Z-daily"), aws,
                "encryption context mismatch for 'backupId'");
        byte[] flipped = stored.clone();
        flipped[stored.length - 40] ^= 0x10;
        assertRefused(flipped, List.of("--kms"), aws, "failed authentication");
        assertRefused(Arrays.copyOf(stored, stored.length / 3), List.of("--kms"), aws, "truncated");
    }

    /** FORMAT.md's recovery: check the digest, decrypt (checking context and manifest), zstd -d, pg_restore. */
    private void recoverAndCompare(JsonNode m, Path manifestFile, Path data, List<String> keyArgs, Map<String, String> env)
            throws Exception {
        String sha256sum = exec(env, "sha256sum", data.toString()).checkOk().stdout();
        assertEquals(m.at("/data/sha256").asText(), sha256sum.split(" ")[0]);
        assertEquals(m.at("/data/storedBytes").asLong(), Files.size(data));

        Path compressed = tmp.resolve("restore.pgdump.zst");
        List<String> decrypt = new ArrayList<>(List.of(python, script.toString()));
        decrypt.addAll(keyArgs);
        decrypt.addAll(List.of("--manifest", manifestFile.toString(),
                "--expect-context", "purpose=taskmaster-backup",
                "--expect-context", "database=" + sample.database(),
                "--expect-context", "backupId=" + m.at("/backupId").asText(),
                data.toString(), compressed.toString()));
        Result dec = exec(env, decrypt.toArray(String[]::new)).checkOk();
        assertEquals("", dec.stderr(), "nothing on stderr when all is well");

        Path archive = tmp.resolve("restore.pgdump");
        exec(env, zstd, "-d", "-q", compressed.toString(), "-o", archive.toString()).checkOk();
        assertEquals(m.at("/data/plainBytes").asLong(), Files.size(archive));

        // --decompress gives the same archive in one step.
        Path direct = tmp.resolve("direct.pgdump");
        List<String> oneStep = new ArrayList<>(decrypt.subList(0, decrypt.size() - 2));
        oneStep.addAll(List.of("--decompress", data.toString(), direct.toString()));
        exec(env, oneStep.toArray(String[]::new)).checkOk();
        assertEquals(-1L, Files.mismatch(archive, direct));

        List<TableFingerprint> tables = new ArrayList<>();
        m.at("/tables").forEach(t -> tables.add(new TableFingerprint(t.get("schema").asText(), t.get("name").asText(),
                t.get("rows").asLong())));
        assertEquals(11, tables.size(), m.toString());
        String toc = exec(Map.of(), tools.program("pg_restore").toString(), "--list", archive.toString()).checkOk().stdout();
        for (TableFingerprint t : tables) {
            assertTrue(toc.contains("TABLE DATA " + t.schema() + " " + t.name() + " "), "archive lists " + t.qualifiedName());
        }
        DbCredentials restored = Restores.pgRestore(archive); // stock pg_restore --exit-on-error into a fresh database
        assertEquals(tables, Restores.fingerprints(restored, tables));
    }

    private void assertRefused(byte[] stored, List<String> args, String... expected) throws Exception {
        assertRefused(stored, args, Map.of(), expected);
    }

    private void assertRefused(byte[] stored, List<String> args, Map<String, String> env, String... expected) throws Exception {
        Path in = Files.write(tmp.resolve("suspect.esdk"), stored);
        Path out = tmp.resolve("suspect.out");
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(args);
        cmd.addAll(List.of(in.toString(), out.toString()));
        Result res = exec(env, cmd.toArray(String[]::new));
        assertNotEquals(0, res.exit(), "accepted: " + args);
        String err = res.stderr().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("decrypt_backup: FAILED: "), err);
        for (String e : expected) {
            assertTrue(err.contains(e), "'" + e + "' in: " + err);
        }
        assertFalse(Files.exists(out) || Files.exists(tmp.resolve("suspect.out.partial")), "no output left behind");
    }

    /** {@code aws s3 cp}, as FORMAT.md says, where the AWS CLI is installed; else the same GET through the SDK. */
    private void download(String bucket, String key, Path target, Map<String, String> env) throws Exception {
        String aws = Commands.find("aws");
        if (aws != null) {
            exec(env, aws, "s3", "cp", "--only-show-errors", "s3://" + bucket + "/" + key, target.toString()).checkOk();
        } else {
            MotoServer.get().s3().getObject(b -> b.bucket(bucket).key(key), target);
        }
    }

    private Result exec(Map<String, String> env, String... command) throws IOException, InterruptedException {
        return Commands.exec(tmp, null, env, List.of(command));
    }
}
