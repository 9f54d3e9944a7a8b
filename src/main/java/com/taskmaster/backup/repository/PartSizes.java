package com.taskmaster.backup.repository;

/**
 * Sizes of S3 multipart parts. S3 allows at most 10,000 parts of 5 MiB to 5 GiB, and parts of one upload
 * may differ. We start from a size chosen from the expected object size (so 10,000 parts hold 4x the
 * expectation), never below 8 MiB, and double it every 1,000 parts past part 2,000 in case the
 * expectation was wrong. Memory use is about twice the current part size (one filling, one uploading).
 * With no hint, 8 MiB parts hold 15.6 GiB in 2,000 parts, the doubling reaches 1 TiB near part 8,000
 * (with 1 GiB parts by then) and about 4 TiB by part 10,000.
 */
public record PartSizes(long initial) {
    public static final long MIN = 8L << 20;
    public static final long MAX = 5L << 30;
    public static final int MAX_PARTS = 10_000;

    public PartSizes {
        if (initial < 5L << 20 || initial > MAX) {
            throw new IllegalArgumentException("part size out of S3's range: " + initial);
        }
    }

    public static PartSizes forExpectedBytes(long expected) {
        long wanted = expected <= 0 ? MIN : ceilMiB(expected * 4 / MAX_PARTS);
        return new PartSizes(Math.min(MAX, Math.max(MIN, wanted)));
    }

    private static long ceilMiB(long bytes) {
        long mib = 1L << 20;
        return (bytes + mib - 1) / mib * mib;
    }

    /** Size of part {@code number} (1-based). */
    public long sizeOf(int number) {
        if (number < 1 || number > MAX_PARTS) {
            throw new IllegalArgumentException("part number out of S3's range: " + number);
        }
        int doublings = number <= 2000 ? 0 : (number - 1001) / 1000;
        return Math.min(MAX, initial << Math.min(doublings, 10));
    }

    /** Total bytes that parts 1..MAX_PARTS can hold. */
    public long capacity() {
        long total = 0;
        for (int n = 1; n <= MAX_PARTS; n++) {
            total += sizeOf(n);
        }
        return total;
    }
}
