package com.taskmaster.backup.pgarchive;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-row cost of candidate order-independent digests (bench/fingerprint-bench.sh, docs/FINGERPRINTS.md
 * "Why this construction"): rows of several sizes, each candidate timed over many rows after warm-up, best of
 * the last rounds. All use the JDK's SHA-256 (CPU SHA instructions through the JIT intrinsic where present).
 */
public final class DigestCandidates {
    interface Candidate {
        void add(byte[] row) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        FingerprintKey key = FingerprintKey.of(new byte[32]);
        byte[] prefix = RowHasher.ROW;
        MessageDigest sha = MessageDigest.getInstance("SHA-256", "SUN");
        byte[] h = new byte[32];
        MultisetDigest sum256 = new MultisetDigest();

        RowHasher chosen = new RowHasher(key);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
        long[] acc2048 = new long[32];
        byte[] e2048 = new byte[256];
        char[] lanes = new char[1024];
        byte[] e16k = new byte[2048];
        BigInteger p = BigInteger.ONE.shiftLeft(3072).subtract(BigInteger.valueOf(1103717));
        BigInteger[] mu = {BigInteger.ONE};
        byte[] e3072 = new byte[384];

        String[] names = {
            "unkeyed SHA-256, sum mod 2^256",
            "HMAC-SHA-256 (chosen: RowHasher), sum mod 2^256",
            "HMAC-SHA-256 (javax.crypto.Mac), sum mod 2^256",
            "SHA-256 + 8 SHA-256 blocks, sum mod 2^2048",
            "SHA-256 + 64 SHA-256 blocks, LtHash 1024x16 bit",
            "SHA-256 + 12 SHA-256 blocks, MuHash3072 (BigInteger)",
        };
        Candidate[] cands = {
            r -> { sha.update(prefix); sha.update(r); sha.digest(h, 0, 32); sum256.add(h); },
            r -> { chosen.begin(prefix); chosen.update(r, 0, r.length); sum256.add(chosen.finish()); },
            r -> { mac.update(prefix); mac.update(r); mac.doFinal(h, 0); sum256.add(h); },
            r -> { rowHash(sha, prefix, r, h); expand(sha, h, e2048, 8); add(acc2048, e2048); },
            r -> { rowHash(sha, prefix, r, h); expand(sha, h, e16k, 64);
                   for (int i = 0; i < 1024; i++) { lanes[i] += (char) ((e16k[2 * i] & 0xff) << 8 | (e16k[2 * i + 1] & 0xff)); } },
            r -> { rowHash(sha, prefix, r, h); expand(sha, h, e3072, 12); mu[0] = mu[0].multiply(new BigInteger(1, e3072)).mod(p); },
        };
        int[] sizes = args.length > 0 ? java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray() : new int[]{40, 100, 400, 2000};
        Random rnd = new Random(1);
        System.out.println("| candidate | " + String.join(" | ", java.util.Arrays.stream(sizes).mapToObj(s -> s + " B row").toList()) + " |");
        System.out.println("|---|" + "---:|".repeat(sizes.length));
        double[][] ns = new double[cands.length][sizes.length];
        for (int si = 0; si < sizes.length; si++) {
            byte[][] rows = new byte[1024][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = new byte[sizes[si]];
                for (int j = 0; j < sizes[si]; j++) {
                    rows[i][j] = (byte) (32 + rnd.nextInt(95));   // printable, like COPY text
                }
            }
            for (int c = 0; c < cands.length; c++) {
                int iters = c >= 4 ? 20_000 : 200_000;
                double best = Double.MAX_VALUE;
                for (int round = 0; round < 6; round++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < iters; i++) {
                        cands[c].add(rows[i & 1023]);
                    }
                    double perRow = (System.nanoTime() - t0) / (double) iters;
                    if (round >= 2) {
                        best = Math.min(best, perRow);
                    }
                }
                ns[c][si] = best;
            }
        }
        for (int c = 0; c < cands.length; c++) {
            StringBuilder line = new StringBuilder("| " + names[c] + " |");
            for (int si = 0; si < sizes.length; si++) {
                line.append(String.format(" %.0f ns |", ns[c][si]));
            }
            System.out.println(line);
        }
        System.out.println("(sink: " + sum256.hex().substring(0, 4) + acc2048[0] % 10 + (int) lanes[0] % 10 + mu[0].bitLength() % 10 + ")");
    }

    private static void rowHash(MessageDigest sha, byte[] prefix, byte[] row, byte[] h) throws Exception {
        sha.update(prefix);
        sha.update(row);
        sha.digest(h, 0, 32);
    }

    /** Counter-mode expansion: block i = SHA-256(h || i). */
    private static void expand(MessageDigest sha, byte[] h, byte[] out, int blocks) throws Exception {
        for (int i = 0; i < blocks; i++) {
            sha.update(h);
            sha.update((byte) i);
            sha.digest(out, i * 32, 32);
        }
    }

    private static void add(long[] acc, byte[] e) {
        long carry = 0;
        for (int i = acc.length - 1; i >= 0; i--) {
            long x = 0;
            for (int j = 0; j < 8; j++) {
                x = x << 8 | (e[i * 8 + j] & 0xff);
            }
            long s = acc[i] + x;
            long c1 = Long.compareUnsigned(s, acc[i]) < 0 ? 1 : 0;
            long s2 = s + carry;
            carry = c1 | (Long.compareUnsigned(s2, s) < 0 ? 1 : 0);
            acc[i] = s2;
        }
    }
}
