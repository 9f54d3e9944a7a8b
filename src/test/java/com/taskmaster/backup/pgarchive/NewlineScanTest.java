package com.taskmaster.backup.pgarchive;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link CopyRows#indexOfNewline} (eight bytes at a time) finds the same newline as a byte-by-byte scan, at every
 * offset and length, among the bytes that trip word-at-a-time tricks: 0x0B and 0x8A (newline ± one bit), 0x00, 0x01,
 * 0x80, 0xFF and runs of newlines.
 */
class NewlineScanTest {
    private static final byte[] ALPHABET = {'\n', 0x0B, (byte) 0x8A, 0x00, 0x01, (byte) 0x80, (byte) 0xFF, 'a', 0x09};

    private static int naive(byte[] b, int from, int end) {
        int i = from;
        while (i < end && b[i] != '\n') {
            i++;
        }
        return i;
    }

    @Test
    void findsTheFirstNewlineLikeAByteLoop() {
        Random random = new Random(11);
        for (int round = 0; round < 2000; round++) {
            byte[] b = new byte[1 + random.nextInt(64)];
            int newlineOdds = 1 + random.nextInt(40);
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextInt(newlineOdds) == 0 ? (byte) '\n' : ALPHABET[1 + random.nextInt(ALPHABET.length - 1)];
            }
            for (int from = 0; from <= b.length; from++) {
                for (int end = from; end <= b.length; end++) {
                    assertEquals(naive(b, from, end), CopyRows.indexOfNewline(b, from, end), "round " + round);
                }
            }
        }
    }

    @Test
    void everyPositionOfASingleNewlineInALongRow() {
        for (int at = 0; at < 100; at++) {
            byte[] b = new byte[100];
            java.util.Arrays.fill(b, (byte) 0x0B);
            b[at] = '\n';
            assertEquals(at, CopyRows.indexOfNewline(b, 0, b.length));
            assertEquals(b.length, CopyRows.indexOfNewline(b, at + 1, b.length));
        }
    }
}
