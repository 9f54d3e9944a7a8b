package com.taskmaster.backup.format;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupResult;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.crypto.CryptoException;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tampering with a stored backup is detected on read, at every layer: the manifest's SHA-256, and, when an
 * attacker also rewrites the manifest, the Encryption SDK's authenticated frames and encryption context.
 */
class TamperTest {
    static DbCredentials sample;

    @TempDir
    Path tmp;
    Repository repo;
    Envelope key;
    Manifest a;
    Manifest b;

    @BeforeAll
    static void sampleDatabase() {
        sample = PostgresServer.get().sampleDatabase("tamper", 1);
    }

    @BeforeEach
    void twoBackups() throws IOException {
        repo = new FileRepository(tmp.resolve("repo"));
        key = Keys.open("file://" + tmp.resolve("backup.key"), () -> null);
        BackupService service = new BackupService(repo, key, PostgresServer.get().tools(), Clock.systemUTC());
        a = manifest(service.run(new BackupRequest("a", null, Trigger.manual()), sample, "r", Deadline.NONE));
        b = manifest(service.run(new BackupRequest("b", null, Trigger.manual()), sample, "r", Deadline.NONE));
    }

    private Manifest manifest(BackupResult r) throws IOException {
        return Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(r.backupId()))));
    }

    private Path dataFile(Manifest m) {
        return tmp.resolve("repo").resolve(m.data().key());
    }

    /** Reads the whole backup; returns the failure. */
    private IOException readFails(Manifest m) {
        return assertThrows(IOException.class, () -> {
            try (InputStream in = BackupReader.open(repo, m, key)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        });
    }

    /** The manifest an attacker would write to match tampered bytes. */
    private static Manifest withData(Manifest m, Manifest.DataObject data) {
        return new Manifest(m.formatVersion(), m.backupId(), m.database(), m.pgDumpVersion(), m.startedAt(), m.finishedAt(),
                data, m.compression(), m.encryption(), m.tables(), m.label(), m.reason(), m.trigger(), m.requestId());
    }

    private Manifest matchingManifest(Manifest m, byte[] bytes) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        return withData(m, new Manifest.DataObject(m.data().key(), m.data().plainBytes(), bytes.length, sha));
    }

    @Test
    void untouchedBackupReadsBackWhole() throws IOException {
        try (InputStream in = BackupReader.open(repo, a, key)) {
            byte[] plain = in.readAllBytes();
            assertEquals(a.data().plainBytes(), plain.length);
            assertEquals("PGDMP", new String(plain, 0, 5, java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void flippedByteIsDetectedByTheChecksumAndByTheCipher() throws Exception {
        byte[] bytes = Files.readAllBytes(dataFile(a));
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(dataFile(a), bytes);
        assertTrue(readFails(a).getMessage().contains("failed authentication")
                || readFails(a).getMessage().contains("does not match its manifest"));
        // Even with a manifest rewritten to match, the frame's GCM tag fails.
        IOException e = readFails(matchingManifest(a, bytes));
        assertTrue(e.getMessage().contains("failed authentication"), e.getMessage());
    }

    @Test
    void flippedHeaderByteIsDetectedBeforeAnyData() throws Exception {
        byte[] bytes = Files.readAllBytes(dataFile(a));
        bytes[40] ^= 0x01;
        Files.write(dataFile(a), bytes);
        IOException e = assertThrows(IOException.class, () -> BackupReader.open(repo, matchingManifest(a, bytes), key).close());
        assertTrue(e.getMessage().contains("cannot be decrypted"), e.getMessage());
    }

    @Test
    void truncationIsDetectedEvenWithAMatchingManifest() throws Exception {
        byte[] bytes = Files.readAllBytes(dataFile(a));
        for (int cut : new int[] {1, 100, 70_000, bytes.length / 2}) {
            byte[] truncated = Arrays.copyOf(bytes, bytes.length - cut);
            Files.write(dataFile(a), truncated);
            assertTrue(readFails(a).getMessage().contains("backup " + a.backupId()));
            readFails(matchingManifest(a, truncated));
        }
    }

    @Test
    void trailingBytesAreDetected() throws Exception {
        byte[] bytes = Files.readAllBytes(dataFile(a));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 10);
        Files.write(dataFile(a), longer);
        IOException e = readFails(a);
        assertTrue(e.getMessage().contains("does not match its manifest"), e.getMessage());
    }

    @Test
    void swappedObjectsAreDetectedByTheEncryptionContext() throws Exception {
        // b's manifest pointing at a's data object, with a's checksum: only the encryption context tells them apart.
        Manifest swapped = withData(b, a.data());
        IOException e = assertThrows(IOException.class, () -> BackupReader.open(repo, swapped, key).close());
        assertTrue(e.getMessage().contains("encryption context mismatch for 'backupId'"), e.getMessage());
    }

    @Test
    void manifestCopyingAnotherBackupsDataAndEncryptionIsRefused() {
        // b's manifest (b's id and time) with a's data object, checksum, encryption section (a's context) and tables:
        // the context the data must carry comes from the id the manifest is named by, not from the manifest's copy.
        Manifest swapped = new Manifest(b.formatVersion(), b.backupId(), b.database(), b.pgDumpVersion(), b.startedAt(),
                b.finishedAt(), a.data(), a.compression(), a.encryption(), a.tables(), b.label(), b.reason(), b.trigger(),
                b.requestId());
        var e = assertThrows(CryptoException.class, () -> BackupReader.open(repo, swapped, key).close());
        assertTrue(e.getMessage().contains("backup " + b.backupId() + ": the manifest's encryption context")
                && e.getMessage().contains(a.backupId().value()), e.getMessage());
        // and with the manifest's context rewritten to b's, the authenticated context (a's) refuses it
        Manifest rewritten = new Manifest(b.formatVersion(), b.backupId(), b.database(), b.pgDumpVersion(), b.startedAt(),
                b.finishedAt(), a.data(), a.compression(), b.encryption(), a.tables(), b.label(), b.reason(), b.trigger(),
                b.requestId());
        IOException io = assertThrows(IOException.class, () -> BackupReader.open(repo, rewritten, key).close());
        assertTrue(io.getMessage().contains("encryption context mismatch for 'backupId'"), io.getMessage());
    }

    @Test
    void wrongKeyIsRefusedClearly() {
        Envelope other = Keys.open("file://" + tmp.resolve("other.key"), () -> null);
        var e = assertThrows(CryptoException.class, () -> BackupReader.open(repo, a, other));
        assertTrue(e.getMessage().contains("was encrypted under key " + key.keyId()), e.getMessage());
    }
}
