package com.taskmaster.backup.pgarchive;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Splits COPY text into rows and digests them: each row is one line without its newline (text format
 * escapes newlines inside values as {@code \n}, so a raw newline always ends a row). In an archive the data
 * ends with pg_dump's end marker line {@code \.} followed by empty lines; COPY TO STDOUT over the protocol has
 * no marker. Rows may arrive split across any number of calls.
 */
final class CopyRows implements ByteSink {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private final RowHasher hasher;
    private final MultisetDigest digest = new MultisetDigest();
    private final boolean endMarker;
    private final String what;
    private boolean inRow;
    private long rowLength;
    private byte first;
    private byte second;
    private boolean ended;

    /**
     * @param endMarker the data ends with pg_dump's {@code \.} line (archive data), or not (COPY TO STDOUT)
     * @param what      the table, for messages
     */
    CopyRows(RowHasher hasher, boolean endMarker, String what) {
        this.hasher = hasher;
        this.endMarker = endMarker;
        this.what = what;
    }

    @Override
    public void accept(byte[] b, int off, int len) throws ArchiveFormatException {
        int i = off;
        int end = off + len;
        while (i < end) {
            if (ended) {
                expectOnlyNewlines(b, i, end);
                return;
            }
            if (!inRow) {
                hasher.begin(RowHasher.ROW);
                inRow = true;
                rowLength = 0;
            }
            int nl = indexOfNewline(b, i, end);
            int n = nl - i;
            if (n > 0) {
                if (rowLength == 0) {
                    first = b[i];
                    second = n > 1 ? b[i + 1] : 0;
                } else if (rowLength == 1) {
                    second = b[i];
                }
                hasher.update(b, i, n);
                rowLength += n;
            }
            if (nl == end) {
                return;
            }
            if (endMarker && rowLength == 2 && first == '\\' && second == '.') {
                ended = true;
            } else {
                digest.add(hasher.finish());
            }
            inRow = false;
            i = nl + 1;
        }
    }

    /**
     * The first {@code '\n'} in {@code b[from, end)}, or {@code end}: eight bytes at a time (the classic "has a zero
     * byte" test on the word XOR newlines; its lowest flagged byte is always a true match), since this scan runs over
     * every byte of the archive and a byte loop was a quarter of the fingerprint thread's time.
     */
    static int indexOfNewline(byte[] b, int from, int end) {
        int i = from;
        for (; i <= end - 8; i += 8) {
            long v = (long) LONG_LE.get(b, i) ^ NEWLINES;
            long t = (v - ONES) & ~v & HIGHS;
            if (t != 0) {
                return i + (Long.numberOfTrailingZeros(t) >>> 3);
            }
        }
        while (i < end && b[i] != '\n') {
            i++;
        }
        return i;
    }

    private void expectOnlyNewlines(byte[] b, int from, int end) throws ArchiveFormatException {
        for (int i = from; i < end; i++) {
            if (b[i] != '\n') {
                throw new ArchiveFormatException("damaged archive: data after the end marker of " + what);
            }
        }
    }

    /** Checks that the data ended where a row ends (and, in an archive, with the end marker). */
    void finish() throws ArchiveFormatException {
        if (inRow) {
            throw new ArchiveFormatException("the COPY data of " + what + " ends inside a row (" + rowLength
                    + " bytes without a newline)");
        }
        if (endMarker && !ended) {
            throw new ArchiveFormatException("damaged archive: the COPY data of " + what + " has no end marker (\\.)");
        }
    }

    long rows() {
        return digest.count();
    }

    String digest() {
        return digest.hex();
    }
}
