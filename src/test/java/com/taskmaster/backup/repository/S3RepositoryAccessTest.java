package com.taskmaster.backup.repository;

import com.taskmaster.backup.testing.IamMotoServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repository under the permissions the functions' roles really have (IAM enforced by moto). On AWS a principal
 * whose s3:ListBucket is limited by an s3:prefix condition (all our roles) gets 403, not 404, from GetObject and
 * HeadObject of a missing key: existence must come from listing, and a refused read must say so, never "absent".
 * moto evaluates no condition, so the two sides are tested apart: existence with ListBucket alone (HeadObject would be
 * refused), reads with GetObject on one prefix only (a 403 for a key that may or may not exist).
 */
class S3RepositoryAccessTest {
    private static final String BUCKET = "access-test-bucket";
    private static IamMotoServer moto;
    private static S3Client listOnly;
    private static S3Client manifestsOnly;

    @BeforeAll
    static void start() {
        moto = IamMotoServer.start();
        S3Client setup = moto.s3();
        setup.createBucket(b -> b.bucket(BUCKET));
        setup.putObject(b -> b.bucket(BUCKET).key("backups/manifests/a.json"), RequestBody.fromString("{}"));
        setup.putObject(b -> b.bucket(BUCKET).key("backups/manifests/a.json.longer"), RequestBody.fromString("x"));
        setup.putObject(b -> b.bucket(BUCKET).key("backups/data/a.bin"), RequestBody.fromString("secret bytes"));
        listOnly = moto.s3(moto.user("list-only", """
                {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::%s"}]}""".formatted(BUCKET)));
        manifestsOnly = moto.s3(moto.user("manifests-only", """
                {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::%s"},
                  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/backups/manifests/*"}]}"""
                .formatted(BUCKET, BUCKET)));
        moto.enforce();
    }

    @AfterAll
    static void stop() {
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void statNeedsOnlyListBucket() {
        Repository repo = new S3Repository(listOnly, BUCKET, "backups", 0);
        Optional<ObjectInfo> present = repo.stat(ObjectKey.of("manifests/a.json"));
        assertTrue(present.isPresent());
        assertEquals(2, present.get().size());
        assertFalse(repo.stat(ObjectKey.of("manifests/missing.json")).isPresent());
        assertFalse(repo.stat(ObjectKey.of("manifests/a.js")).isPresent(), "a prefix of a key is not the key");
    }

    @Test
    void aRefusedReadOfAMissingObjectIsAbsent() {
        Repository repo = new S3Repository(manifestsOnly, BUCKET, "backups", 0);
        assertThrows(NoSuchObjectException.class, () -> repo.open(ObjectKey.of("data/missing.bin")));
    }

    @Test
    void aRefusedReadOfAPresentObjectNamesTheOperation() {
        Repository repo = new S3Repository(manifestsOnly, BUCKET, "backups", 0);
        RepositoryException e = assertThrows(RepositoryException.class, () -> repo.open(ObjectKey.of("data/a.bin")));
        assertFalse(e instanceof NoSuchObjectException, e.getMessage());
        assertTrue(e.getMessage().contains("access denied to s3:GetObject"), e.getMessage());
    }

    @Test
    void aRefusedWriteNamesTheOperation() {
        Repository repo = new S3Repository(manifestsOnly, BUCKET, "backups", 0);
        RepositoryException e = assertThrows(RepositoryException.class,
                () -> repo.putIfAbsent(ObjectKey.of("manifests/b.json"), new byte[] {1}));
        assertTrue(e.getMessage().contains("access denied to s3:PutObject"), e.getMessage());
    }
}
