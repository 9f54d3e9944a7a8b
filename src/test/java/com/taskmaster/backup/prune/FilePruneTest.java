package com.taskmaster.backup.prune;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.repository.FileRepository;
import com.taskmaster.backup.repository.ObjectWriter;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.support.Deadline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Prune against a file repository; its neighbours are sibling directories. */
class FilePruneTest extends PruneServiceContractTest {
    @TempDir
    Path dir;
    private int n;

    @Override
    protected Repository newRepository() {
        return new FileRepository(dir.resolve("repo-" + n++));
    }

    @Override
    protected Repository neighbour() {
        return new FileRepository(dir.resolve("neighbour-" + n++));
    }

    @Override
    protected int randomHistories() {
        return 25;
    }

    @Override
    protected void putForeign(String relativeKey, byte[] content) {
        try {
            Path p = Path.of(java.net.URI.create(repo.uri())).resolve(relativeKey);
            Files.createDirectories(p.getParent());
            Files.write(p, content);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** With the real clock: a temporary file is stale only when both its id and its last write are over a day old. */
    @Test
    void aTemporaryFileStillBeingWrittenSurvivesEvenWithAnOldId() throws IOException {
        Instant now = Instant.now();
        put(repo, now.minus(Duration.ofDays(3)), "daily", null);
        BackupId oldId = BackupId.scheduled(now.minus(Duration.ofDays(3)), "slow");
        ObjectWriter active = repo.create(Layout.data(oldId, "a1"));
        active.stream().write(new byte[5]);
        ObjectWriter dead = repo.create(Layout.data(oldId, "a2"));
        dead.stream().write(new byte[5]);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith(".tmp-") && p.toString().contains(".a2.")).toList()) {
                Files.setLastModifiedTime(p, FileTime.from(now.minus(Duration.ofDays(2))));
            }
        }
        new PruneService(repo, RetentionPolicy.DEFAULTS, Clock.fixed(now, ZoneOffset.UTC)).run(new PruneRequest(false, "manual"), "r", Deadline.NONE);
        assertEquals(List.of(Layout.data(oldId, "a1")), repo.pendingWrites().stream().map(w -> w.key()).toList());
        active.abort();
        dead.abort();
    }
}
