package com.taskmaster.backup.crypto;

import com.taskmaster.backup.backup.BackupRequest;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.BackupReader;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.format.Manifest;
import com.taskmaster.backup.format.Trigger;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.KmsCalls.Call;
import com.taskmaster.backup.testing.KmsCalls;
import com.taskmaster.backup.testing.MotoServer;
import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KMS keys against moto: the checks of {@link Keys#openKms}, single-Region keys strict as ever, and multi-Region keys:
 * a backup written under the primary key's ARN is read with its replica's ARN and a client of the replica's region.
 *
 * <p>What moto 5.2.1 can show of the multi-Region path: it creates multi-Region keys and replicates them by key id
 * (ReplicateKey with a key ARN: HTTP 500), answers DescribeKey for the replica in its region and GenerateDataKey under
 * the primary, but cannot decrypt any data key of a multi-Region key, in either region (Decrypt answers HTTP 400
 * AccessDeniedException: its ciphertext blob keeps 36 characters of key id, an {@code mrk-} id has 40, and the
 * truncated id names no key). So the tests check what is sent to KMS (operation, the
 * region the request is signed for, the key) and accept either KMS answer: the plaintext, or moto's refusal. The
 * tests' moto_server is now started with that defect patched (MotoServer), so they see the plaintext; an unpatched
 * moto still passes them.
 */
class KeysTest {
    static final Region PRIMARY = MotoServer.REGION;
    static final Region SECONDARY = Region.EU_WEST_1;
    /** moto's answer to Decrypt of a multi-Region data key, as the SDK reports it (see the class comment). */
    static final String MOTO_MRK_DECRYPT_LIMIT = "Service returned error code AccessDeniedException (Service: Kms, Status Code: 400";
    static final Map<String, String> CONTEXT = Map.of("purpose", "taskmaster-backup", "backupId", "20260101T000000Z-daily");

    static String primary;
    static String replica;

    @TempDir
    Path tmp;

    @BeforeAll
    static void keys() {
        MotoServer.get();
        primary = AwsFixtures.multiRegionKey();
        replica = AwsFixtures.replicate(primary, SECONDARY);
    }

    static KmsClient client(Region region, KmsCalls calls) {
        return MotoServer.get().kms(region, calls);
    }

    static byte[] encrypt(Envelope key, byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream enc = key.encrypt(out, CONTEXT)) {
            enc.write(plain);
        }
        return out.toByteArray();
    }

    static byte[] decrypt(Envelope key, byte[] message) throws IOException {
        try (InputStream in = key.decrypt(new ByteArrayInputStream(message), CONTEXT)) {
            return in.readAllBytes();
        }
    }

    @Test
    void theReplicaUnwrapsWhatThePrimaryWrappedCallingKmsOnlyInItsOwnRegion() throws Exception {
        KmsCalls primaryCalls = new KmsCalls();
        KmsCalls secondaryCalls = new KmsCalls();
        byte[] plain = "pg_dump archive".getBytes(StandardCharsets.UTF_8);
        byte[] message = encrypt(Keys.open(primary, () -> client(PRIMARY, primaryCalls)), plain);
        assertEquals(List.of(new Call("GenerateDataKey", PRIMARY.id(), primary)), primaryCalls.of("GenerateDataKey"));

        Envelope key = Keys.openExisting(replica, () -> client(SECONDARY, secondaryCalls));
        assertEquals(replica, key.keyId());
        assertTrue(key.unwraps(primary), "the replica unwraps the primary's data keys");
        try {
            assertArrayEquals(plain, decrypt(key, message));   // an emulator (or AWS) that decrypts multi-Region data keys
        } catch (CryptoException e) {
            assertTrue(e.getMessage().startsWith("cannot decrypt: Unable to decrypt any data keys ("), e.getMessage());
            assertTrue(e.getMessage().contains(MOTO_MRK_DECRYPT_LIMIT), e.getMessage());
        }
        assertEquals(List.of(new Call("Decrypt", SECONDARY.id(), replica)), secondaryCalls.of("Decrypt"),
                "Decrypt with the replica's ARN, signed for the replica's region");
        assertEquals(List.of(), primaryCalls.of("Decrypt"), "the primary region is never called to decrypt");
    }

    @Test
    void aBackupWrittenUnderThePrimaryIsOpenedWithTheReplica() throws Exception {
        PostgresServer pg = PostgresServer.get();
        DbCredentials db = pg.createDatabase("mrk");
        pg.psql(db.database(), "CREATE TABLE t (id int PRIMARY KEY, note text); INSERT INTO t VALUES (1, 'one'), (2, 'two')");
        FileRepository repo = new FileRepository(tmp.resolve("repo"));
        String id = new BackupService(repo, Keys.open(primary, () -> client(PRIMARY, new KmsCalls())), pg.tools(), Clock.systemUTC())
                .run(new BackupRequest(null, null, Trigger.manual()), db, "req-mrk", Deadline.NONE).backupId();
        Manifest m = Manifest.fromJson(repo.read(Layout.manifest(BackupId.parse(id))));
        assertEquals(primary, m.encryption().keyId());

        KmsCalls secondaryCalls = new KmsCalls();
        Envelope key = Keys.openExisting(replica, () -> client(SECONDARY, secondaryCalls));
        try (InputStream archive = BackupReader.open(repo, m, key)) {
            byte[] head = archive.readNBytes(5);
            assertEquals("PGDMP", new String(head, StandardCharsets.US_ASCII));   // where the emulator can decrypt it
            archive.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            assertTrue(e.getMessage().contains("backup " + id + " cannot be decrypted: cannot decrypt: "), e.getMessage());
            assertTrue(e.getMessage().contains(MOTO_MRK_DECRYPT_LIMIT), e.getMessage());
        }
        assertEquals(List.of(new Call("Decrypt", SECONDARY.id(), replica)), secondaryCalls.of("Decrypt"));

        // Another multi-Region key's replica in the same region is refused by name, before any KMS call.
        KmsCalls otherCalls = new KmsCalls();
        String other = AwsFixtures.replicate(AwsFixtures.multiRegionKey(), SECONDARY);
        Envelope otherKey = Keys.openExisting(other, () -> client(SECONDARY, otherCalls));
        CryptoException e = assertThrows(CryptoException.class, () -> BackupReader.open(repo, m, otherKey));
        assertEquals("backup " + id + " was encrypted under key " + primary + ", but the configured key is " + other
                + " (neither that key nor a multi-Region replica of it)", e.getMessage());
        assertEquals(List.of(), otherCalls.of("Decrypt"));
    }

    @Test
    void anotherMultiRegionKeyIsRefusedWithoutAskingKms() throws Exception {
        byte[] message = encrypt(Keys.open(primary, () -> client(PRIMARY, new KmsCalls())), new byte[100]);
        String otherPrimary = AwsFixtures.multiRegionKey();
        for (String other : List.of(otherPrimary, AwsFixtures.replicate(otherPrimary, SECONDARY))) {
            KmsCalls calls = new KmsCalls();
            Region region = other.equals(otherPrimary) ? PRIMARY : SECONDARY;
            Envelope key = Keys.openExisting(other, () -> client(region, calls));
            assertFalse(key.unwraps(primary));
            CryptoException e = assertThrows(CryptoException.class, () -> decrypt(key, message));
            assertEquals("cannot decrypt: Unable to decrypt any data keys (Key must be in supplied list of keyIds.)", e.getMessage());
            assertEquals(List.of(), calls.of("Decrypt"));
        }
    }

    @Test
    void aSingleRegionKeyIsStrictAsBefore() throws Exception {
        KmsCalls calls = new KmsCalls();
        String single = AwsFixtures.kmsKey();
        byte[] plain = "single-Region".getBytes(StandardCharsets.UTF_8);
        byte[] message = encrypt(Keys.open(single, () -> client(PRIMARY, calls)), plain);
        assertArrayEquals(plain, decrypt(Keys.openExisting(single, () -> client(PRIMARY, calls)), message));
        assertEquals(List.of(new Call("Decrypt", PRIMARY.id(), single)), calls.of("Decrypt"));

        KmsCalls otherCalls = new KmsCalls();
        Envelope other = Keys.openExisting(AwsFixtures.kmsKey(), () -> client(PRIMARY, otherCalls));
        assertFalse(other.unwraps(single));
        CryptoException e = assertThrows(CryptoException.class, () -> decrypt(other, message));
        assertEquals("cannot decrypt: Unable to decrypt any data keys (Key must be in supplied list of keyIds.)", e.getMessage());
        assertEquals(List.of(), otherCalls.of("Decrypt"));
        // The multi-Region rule is for mrk- keys only: the same single-Region key id in another region is another key.
        assertFalse(Keys.unwrapsKmsKey(single.replace(":" + PRIMARY.id() + ":", ":" + SECONDARY.id() + ":"), single));
        // Nor does a multi-Region key unwrap a single-Region key's data keys, or the other way round.
        assertFalse(Keys.unwrapsKmsKey(primary, single));
        assertFalse(Keys.unwrapsKmsKey(single, primary));
    }

    @Test
    void theMultiRegionRuleComparesPartitionAccountAndKeyIdOnly() {
        String keyId = replica.substring(replica.indexOf(":key/"));
        assertTrue(Keys.unwrapsKmsKey("arn:aws:kms:eu-west-1:123456789012" + keyId, "arn:aws:kms:us-east-1:123456789012" + keyId));
        assertFalse(Keys.unwrapsKmsKey("arn:aws:kms:eu-west-1:123456789012" + keyId, "arn:aws:kms:us-east-1:210987654321" + keyId));
        assertFalse(Keys.unwrapsKmsKey("arn:aws:kms:eu-west-1:123456789012" + keyId, "arn:aws-cn:kms:us-east-1:123456789012" + keyId));
        assertFalse(Keys.unwrapsKmsKey("arn:aws:kms:eu-west-1:123456789012" + keyId,
                "arn:aws:kms:us-east-1:123456789012" + keyId.replace("key/", "alias/")));
        assertFalse(Keys.unwrapsKmsKey(replica, "arn:aws"), "a malformed ARN matches nothing");
        assertFalse(Keys.unwrapsKmsKey(replica, "local-0123"));
    }

    @Test
    void aKeyOfAnotherRegionIsRefusedBeforeAnyKmsCall() {
        KmsCalls calls = new KmsCalls();
        CryptoException e = assertThrows(CryptoException.class, () -> Keys.openExisting(replica, () -> client(PRIMARY, calls)));
        assertEquals("KMS key '" + replica + "' is in region " + SECONDARY.id() + ", but KMS is called in " + PRIMARY.id()
                + ": name a key of " + PRIMARY.id() + " (for a multi-Region key, its replica there)", e.getMessage());
        assertEquals(List.of(), calls.all());
    }

    @Test
    void theEncryptionSdkGetsOurClientForOurRegionOnly() {
        KmsClient kms = client(SECONDARY, new KmsCalls());
        assertSame(kms, Keys.clientIn(SECONDARY, kms).getClient(SECONDARY));
        CryptoException e = assertThrows(CryptoException.class, () -> Keys.clientIn(SECONDARY, kms).getClient(PRIMARY));
        assertEquals("KMS in region us-east-1 was asked for, but only eu-west-1 (this function's region) is called", e.getMessage());
    }

    @Test
    void anAliasResolvesToItsKeyArnAndOnlyEnabledKeysAreUsed() {
        KmsClient kms = MotoServer.get().kms();
        String alias = "alias/taskmaster-backup-" + UUID.randomUUID().toString().substring(0, 8);
        kms.createAlias(b -> b.aliasName(alias).targetKeyId(primary));
        assertEquals(primary, Keys.openExisting(alias, () -> kms).keyId());

        String disabled = AwsFixtures.kmsKey();
        kms.disableKey(b -> b.keyId(disabled.substring(disabled.indexOf(":key/") + ":key/".length())));
        CryptoException e = assertThrows(CryptoException.class, () -> Keys.openExisting(disabled, () -> kms));
        assertEquals("KMS key '" + disabled + "' is Disabled, not Enabled", e.getMessage());

        String missing = "alias/does-not-exist-" + UUID.randomUUID().toString().substring(0, 8);
        e = assertThrows(CryptoException.class, () -> Keys.openExisting(missing, () -> kms));
        assertTrue(e.getMessage().startsWith("KMS key '" + missing + "' cannot be used: "), e.getMessage());
    }
}
