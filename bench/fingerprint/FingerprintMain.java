package com.taskmaster.backup.pgarchive;

import java.io.InputStream;

/**
 * Benchmark driver (bench/fingerprint-bench.sh): fingerprints the custom-format archive on stdin the way the
 * backup pipeline will, through {@link FingerprintSink} (this thread reads stdin in 64 KiB blocks and tees them;
 * the sink's thread parses and hashes), and prints one line: bytes, tables, rows, large objects, the time from
 * the first byte to the result (JVM start-up excluded), MB/s and rows/s. {@code --pull} parses on this thread
 * instead, without the tee.
 */
public final class FingerprintMain {
    public static void main(String[] args) throws Exception {
        boolean pull = args.length > 0 && args[0].equals("--pull");
        FingerprintKey key = FingerprintKey.generate();
        SessionSettings session = SessionSettings.forPgDump(null);
        InputStream in = System.in;
        byte[] buf = new byte[64 * 1024];
        int first = in.read(buf);
        long t0 = System.nanoTime();
        long bytes;
        ArchiveFingerprinter.Result r;
        if (pull) {
            InputStream whole = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(buf, 0, Math.max(first, 0)), in);
            CountingInput counting = new CountingInput(whole);
            r = ArchiveFingerprinter.fingerprint(counting, key, session);
            bytes = counting.count;
        } else {
            FingerprintSink sink = FingerprintSink.start(key, session, "fingerprints");
            bytes = 0;
            for (int n = first; n >= 0; n = in.read(buf)) {
                sink.write(buf, 0, n);
                bytes += n;
            }
            sink.close();
            r = sink.result();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        long rows = r.fingerprints().tables().stream().mapToLong(TableDigest::rows).sum();
        // CPU of the whole JVM (all threads, JIT and start-up included): less sensitive to a busy machine than wall time
        double cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
        System.out.printf("bytes=%d tables=%d rows=%d largeObjects=%d seconds=%.3f MBps=%.1f rowsPerSecond=%.0f "
                        + "jvmCpuSeconds=%.2f%n", bytes, r.fingerprints().tables().size(), rows,
                r.fingerprints().largeObjects().count(), s, bytes / s / 1048576.0, rows / s, cpu);
    }

    private static final class CountingInput extends java.io.FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
