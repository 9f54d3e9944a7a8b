package com.taskmaster.backup.pgarchive;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The archive arriving as a pipe delivers it: in chunks of any size, rows and fields split anywhere. */
class FingerprintStreamingTest {
    @Test
    void teeFedInRandomChunksGivesTheSameFingerprints() throws Exception {
        Archives.Fixture f = Archives.varied();
        byte[] archive = Files.readAllBytes(f.archive());
        Random rnd = new Random(11);
        FingerprintSink sink = FingerprintSink.start(Archives.KEY, SessionSettings.forPgDump(f.fingerprints().textForm()
                .session().lcMonetary()), "fp-test");
        for (int at = 0; at < archive.length; ) {
            int n = Math.min(archive.length - at, rnd.nextInt(5) == 0 ? 1 + rnd.nextInt(3) : 1 + rnd.nextInt(200_000));
            sink.write(archive, at, n);
            at += n;
        }
        sink.close();
        assertEquals(f.fingerprints(), sink.result().fingerprints());
    }

    @Test
    void tinyReadsGiveTheSameFingerprints() throws Exception {
        Archives.Fixture f = Archives.varied();
        Random rnd = new Random(7);
        InputStream trickle = new FilterInputStream(new ByteArrayInputStream(Files.readAllBytes(f.archive()))) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + rnd.nextInt(7)));
            }
        };
        assertEquals(f.fingerprints(), ArchiveFingerprinter.fingerprint(trickle, Archives.KEY,
                f.fingerprints().textForm().session()).fingerprints());
    }

    @Test
    void garbageFailsTheWriterInsteadOfBlockingIt() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            FingerprintSink sink = FingerprintSink.start(Archives.KEY, SessionSettings.forPgDump(null), "fp-garbage");
            byte[] junk = new byte[64 * 1024];
            new Random(1).nextBytes(junk);
            IOException e = assertThrows(IOException.class, () -> {
                for (int i = 0; i < 1000; i++) {   // 64 MB: far more than the queue holds
                    sink.write(junk);
                }
                sink.close();
            });
            assertTrue(e.getMessage().contains("cannot fingerprint the archive: not a pg_dump custom-format archive"),
                    e.getMessage());
        });
    }

    @Test
    void aTruncatedStreamFailsAtClose() throws Exception {
        byte[] archive = Files.readAllBytes(Archives.varied().archive());
        FingerprintSink sink = FingerprintSink.start(Archives.KEY, SessionSettings.forPgDump(null), "fp-truncated");
        sink.write(archive, 0, archive.length / 3);
        ArchiveFormatException e = assertThrows(ArchiveFormatException.class, sink::close);
        assertTrue(e.getMessage().contains("archive ends early"), e.getMessage());
    }

    @Test
    void abortEndsTheThreadWithoutTheRestOfTheArchive() throws Exception {
        byte[] archive = Files.readAllBytes(Archives.varied().archive());
        FingerprintSink sink = FingerprintSink.start(Archives.KEY, SessionSettings.forPgDump(null), "fp-aborted");
        sink.write(archive, 0, archive.length / 2);
        sink.abort();
        for (int i = 0; i < 100 && threadAlive("fp-aborted"); i++) {
            Thread.sleep(50);
        }
        assertTrue(!threadAlive("fp-aborted"), "the fingerprinting thread ended");
        assertThrows(IOException.class, () -> sink.write(archive, 0, 10));
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
