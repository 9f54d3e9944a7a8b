package com.taskmaster.backup.pgarchive;

import com.github.luben.zstd.ZstdOutputStream;
import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.crypto.LocalKeys;
import com.taskmaster.backup.format.BackupWriter;

import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Benchmark driver (bench/README.md, "Where the backup's time goes"): the backup pipeline's stages, each alone and
 * then together as the backup runs them, over a saved {@code pg_dump -Fc -Z0} archive (from the page cache), so
 * that each stage's CPU time is measured without pg_dump, the server or the JVM's start. Prints per stage: CPU
 * seconds of the whole JVM (all threads: what the stage costs the machine's cores), wall seconds and MB/s.
 *
 * <pre>java -cp ... com.taskmaster.backup.pgarchive.PipelineStages ARCHIVE [ROUNDS]</pre>
 */
public final class PipelineStages {
    private interface Stage {
        void run(InputStream in) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path archive = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        long size = Files.size(archive);
        Path keyFile = Files.createTempDirectory("stages").resolve("local.key");
        Envelope envelope = LocalKeys.open(keyFile, true);
        Map<String, String> context = Map.of("purpose", "bench");
        FingerprintKey key = FingerprintKey.generate();
        SessionSettings session = SessionSettings.forPgDump(null);
        Map<String, Stage> stages = new java.util.LinkedHashMap<>();
        stages.put("read the file only", in -> in.transferTo(OutputStream.nullOutputStream()));
        stages.put("fingerprints (parse + HMAC per row), one thread", in -> ArchiveFingerprinter.fingerprint(in, key, session));
        stages.put("zstd -2 only", in -> {
            try (OutputStream z = new ZstdOutputStream(OutputStream.nullOutputStream(), BackupWriter.ZSTD_LEVEL).setChecksum(true)) {
                in.transferTo(z);
            }
        });
        stages.put("BackupWriter: zstd + Encryption SDK + SHA-256", in -> {
            try (OutputStream p = BackupWriter.open(OutputStream.nullOutputStream(), envelope, context).plain()) {
                in.transferTo(p);
            }
        });
        stages.put("the backup's pipeline: BackupWriter + FingerprintSink tee", in -> {
            FingerprintSink sink = FingerprintSink.start(key, session, "fp");
            try (OutputStream p = BackupWriter.open(OutputStream.nullOutputStream(), envelope, context).plain()) {
                byte[] buf = new byte[256 * 1024];
                for (int n; (n = in.read(buf)) > 0; ) {
                    sink.write(buf, 0, n);
                    p.write(buf, 0, n);
                }
            }
            sink.close();
            sink.result();
        });
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int r = 1; r <= rounds; r++) {
            for (var e : stages.entrySet()) {
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                try (InputStream in = new BufferedInputStream(new FileInputStream(archive.toFile()), 256 * 1024)) {
                    e.getValue().run(in);
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                double cpu = (os.getProcessCpuTime() - c0) / 1e9;
                System.out.printf("round %d | %-60s | CPU %6.2f s | wall %6.2f s | %6.0f MB/s%n", r, e.getKey(), cpu, wall,
                        size / 1048576.0 / wall);
            }
        }
    }
}
