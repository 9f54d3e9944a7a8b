package com.taskmaster.backup.prune;

import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.repository.S3Repository;
import com.taskmaster.backup.testing.AwsFixtures;
import com.taskmaster.backup.testing.MotoServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Prune against S3 (moto); neighbours are other prefixes of the same bucket. */
class S3PruneTest extends PruneServiceContractTest {
    private final S3Client s3 = MotoServer.get().s3();
    private String bucket;
    private int n;

    @Override
    protected Repository newRepository() {
        bucket = bucket == null ? AwsFixtures.bucket("prune") : bucket;
        return new S3Repository(s3, bucket, "backups/taskmaster-" + n++, 0);
    }

    @Override
    protected Repository neighbour() {
        return new S3Repository(s3, bucket, "backups/neighbour-" + n++, 0);
    }

    @Override
    protected int randomHistories() {
        return 6;
    }

    @Test
    void foreignObjectsUnderThePrefixAreNeverTouched() {
        history(repo, 45);
        String prefix = repo.uri().substring(("s3://" + bucket + "/").length());
        s3.putObject(b -> b.bucket(bucket).key(prefix + "/data/../20200101T000000Z-x.a1.pgdump.zst.esdk"), RequestBody.fromString("x"));
        s3.putObject(b -> b.bucket(bucket).key(prefix + "/data/20200101T000000Z-foreign"), RequestBody.fromString("x"));
        s3.putObject(b -> b.bucket(bucket).key(prefix + "-sibling/data/20200101T000000Z-x.a1.pgdump.zst.esdk"), RequestBody.fromString("x"));
        service(repo, RetentionPolicy.DEFAULTS).run(false, "manual", "r");
        for (String key : new String[] {prefix + "/data/../20200101T000000Z-x.a1.pgdump.zst.esdk",
                prefix + "/data/20200101T000000Z-foreign",
                prefix + "-sibling/data/20200101T000000Z-x.a1.pgdump.zst.esdk"}) {
            assertEquals(1, s3.listObjectsV2(b -> b.bucket(bucket).prefix(key)).contents().size(), key);
        }
    }
}
