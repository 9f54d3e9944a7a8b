package com.taskmaster.backup.pgarchive;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * An order-independent digest of a multiset of elements: their number, and the sum of their 256-bit HMACs
 * (big-endian unsigned integers) modulo 2^256. Adding the same elements in any order gives the same value.
 */
final class MultisetDigest {
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private long count;
    private long w0;   // most significant 64 bits
    private long w1;
    private long w2;
    private long w3;   // least significant

    /** Adds one element's 32-byte HMAC. */
    void add(byte[] h) {
        long x3 = (long) LONG_BE.get(h, 24);
        long x2 = (long) LONG_BE.get(h, 16);
        long x1 = (long) LONG_BE.get(h, 8);
        long x0 = (long) LONG_BE.get(h, 0);
        long s = w3 + x3;
        long c = Long.compareUnsigned(s, w3) < 0 ? 1 : 0;
        w3 = s;
        long t = w2 + x2;
        long c1 = Long.compareUnsigned(t, w2) < 0 ? 1 : 0;
        s = t + c;
        c = c1 | (Long.compareUnsigned(s, t) < 0 ? 1 : 0);
        w2 = s;
        t = w1 + x1;
        c1 = Long.compareUnsigned(t, w1) < 0 ? 1 : 0;
        s = t + c;
        c = c1 | (Long.compareUnsigned(s, t) < 0 ? 1 : 0);
        w1 = s;
        w0 = w0 + x0 + c;   // the carry out of the top word is dropped: modulo 2^256
        count++;
    }

    long count() {
        return count;
    }

    /** The sum as 64 lowercase hex digits, most significant first. */
    String hex() {
        byte[] b = new byte[32];
        LONG_BE.set(b, 0, w0);
        LONG_BE.set(b, 8, w1);
        LONG_BE.set(b, 16, w2);
        LONG_BE.set(b, 24, w3);
        return HexFormat.of().formatHex(b);
    }
}
