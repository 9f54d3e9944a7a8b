package com.taskmaster.backup.pgarchive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * pg_dump's archive primitives (pg_backup_archiver.c: ReadInt, ReadStr, ReadOffset) over a plain input stream,
 * with its own buffer so that data chunks reach their consumer as slices of that buffer, without copies.
 * Never seeks; remembers nothing but the current buffer.
 */
final class ArchiveInput {
    /** TOC strings (SQL text) longer than this are refused as damage rather than allocated. */
    static final int MAX_STRING = 256 * 1024 * 1024;

    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private long bufferStart;
    private int intSize = 4;
    private Charset charset = StandardCharsets.UTF_8;

    ArchiveInput(InputStream in) {
        this.in = in;
    }

    void intSize(int size) {
        intSize = size;
    }

    /** The charset TOC strings are decoded with: the archive's client encoding once it is known. */
    void charset(Charset c) {
        charset = c;
    }

    Charset charset() {
        return charset;
    }

    /** Bytes consumed so far: the offset of the next byte, for messages. */
    long position() {
        return bufferStart + pos;
    }

    private boolean fill() throws IOException {
        if (pos < limit) {
            return true;
        }
        bufferStart += limit;
        pos = 0;
        limit = 0;
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        limit = n;
        return true;
    }

    /** The next byte (0-255), or -1 at the end of the input. */
    int readByteOrEnd() throws IOException {
        return fill() ? buf[pos++] & 0xff : -1;
    }

    int readByte(String what) throws IOException {
        int b = readByteOrEnd();
        if (b < 0) {
            throw truncated(what);
        }
        return b;
    }

    void readFully(byte[] dst, String what) throws IOException {
        int done = 0;
        while (done < dst.length) {
            if (!fill()) {
                throw truncated(what);
            }
            int n = Math.min(dst.length - done, limit - pos);
            System.arraycopy(buf, pos, dst, done, n);
            pos += n;
            done += n;
        }
    }

    /** WriteInt: a sign byte, then intSize bytes, least significant first. */
    long readInt(String what) throws IOException {
        long at = position();
        int sign = readByte(what);
        if (sign > 1) {
            throw new ArchiveFormatException("damaged archive: sign byte " + sign + " of " + what + " at byte " + at);
        }
        long value = 0;
        for (int i = 0; i < intSize; i++) {
            value |= (long) readByte(what) << (8 * i);
        }
        return sign == 1 ? -value : value;
    }

    /** An int that must be a non-negative length or count below {@code max}. */
    int readCount(String what, long max) throws IOException {
        long at = position();
        long v = readInt(what);
        if (v < 0 || v > max) {
            throw new ArchiveFormatException("damaged archive: " + what + " " + v + " at byte " + at + " is out of range");
        }
        return (int) v;
    }

    /** WriteStr: a length (-1 for NULL) and that many bytes. */
    String readStr(String what) throws IOException {
        long at = position();
        long len = readInt(what);
        if (len == -1) {
            return null;
        }
        if (len < 0 || len > MAX_STRING) {
            throw new ArchiveFormatException("damaged archive: length " + len + " of " + what + " at byte " + at);
        }
        byte[] b = new byte[(int) len];
        readFully(b, what);
        return new String(b, charset);
    }

    /** Skips a string without keeping it (dropStmt, say: it can be long and nobody needs it here). */
    void skipStr(String what) throws IOException {
        long at = position();
        long len = readInt(what);
        if (len == -1) {
            return;
        }
        if (len < 0 || len > MAX_STRING) {
            throw new ArchiveFormatException("damaged archive: length " + len + " of " + what + " at byte " + at);
        }
        stream(len, (b, off, n) -> { }, what);
    }

    /** Hands the next {@code n} bytes to the sink, as slices of the buffer. */
    void stream(long n, ByteSink sink, String what) throws IOException {
        long left = n;
        while (left > 0) {
            if (!fill()) {
                throw truncated(what);
            }
            int take = (int) Math.min(left, limit - pos);
            int at = pos;
            pos += take;
            left -= take;
            sink.accept(buf, at, take);
        }
    }

    ArchiveFormatException truncated(String what) {
        return new ArchiveFormatException("archive ends early: inside " + what + " at byte " + position()
                + " (incomplete stream: did pg_dump fail?)");
    }
}
