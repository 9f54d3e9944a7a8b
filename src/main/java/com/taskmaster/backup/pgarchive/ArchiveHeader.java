package com.taskmaster.backup.pgarchive;

import java.io.IOException;
import java.util.Objects;

/**
 * The header of a custom-format archive (pg_backup_archiver.c: WriteHead/ReadHead).
 *
 * @param version        archive format version, e.g. "1.14.0" (pg_dump 12-15), "1.15.0" (16), "1.16.0" (17)
 * @param intSize        bytes per archive integer (4 on every platform pg_dump runs on)
 * @param offSize        bytes per data offset
 * @param databaseName   the dumped database, as pg_dump connected to it
 * @param serverVersion  the server's version string (null before archive version 1.10)
 * @param pgDumpVersion  pg_dump's own version string (null before archive version 1.10)
 */
public record ArchiveHeader(String version, int intSize, int offSize, String databaseName, String serverVersion,
                            String pgDumpVersion) {
    static final int MIN_MINOR = 12;
    static final int MAX_MINOR = 16;
    private static final byte[] MAGIC = {'P', 'G', 'D', 'M', 'P'};
    private static final int FORMAT_CUSTOM = 1;

    public ArchiveHeader {
        Objects.requireNonNull(version, "version");
    }

    /** Archive minor version (the major is always 1): decides which fields the TOC carries. */
    int minor() {
        return Integer.parseInt(version.split("\\.")[1]);
    }

    static ArchiveHeader read(ArchiveInput in) throws IOException {
        byte[] magic = new byte[5];
        int first = in.readByteOrEnd();
        if (first < 0) {
            throw new ArchiveFormatException("empty input: no archive at all (did pg_dump fail before writing?)");
        }
        magic[0] = (byte) first;
        for (int i = 1; i < 5; i++) {
            int b = in.readByteOrEnd();
            if (b < 0) {
                throw new ArchiveFormatException("archive ends early: only " + i + " bytes, not even the PGDMP magic");
            }
            magic[i] = (byte) b;
        }
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new ArchiveFormatException("not a pg_dump custom-format archive (no PGDMP magic): " + guess(magic));
        }
        int major = in.readByte("header");
        int minor = in.readByte("header");
        int rev = in.readByte("header");
        String version = major + "." + minor + "." + rev;
        if (major != 1 || minor < MIN_MINOR || minor > MAX_MINOR) {
            throw new ArchiveFormatException("archive version " + version + " is not supported: this reader knows 1."
                    + MIN_MINOR + " to 1." + MAX_MINOR + " (written by pg_dump 9.0 to 17); a newer pg_dump needs a newer reader");
        }
        int intSize = in.readByte("header");
        int offSize = in.readByte("header");
        if (intSize < 1 || intSize > 8 || offSize < 1 || offSize > 8) {
            throw new ArchiveFormatException("damaged archive header: integer size " + intSize + ", offset size " + offSize);
        }
        in.intSize(intSize);
        int format = in.readByte("header");
        if (format != FORMAT_CUSTOM) {
            throw new ArchiveFormatException("archive format " + format + " is not the custom format (pg_dump -Fc)");
        }
        if (minor >= 15) {
            int algorithm = in.readByte("header");
            if (algorithm != 0) {
                throw compressed(algorithm == 1 ? "gzip" : algorithm == 2 ? "lz4" : algorithm == 3 ? "zstd" : "algorithm " + algorithm);
            }
        } else {
            long level = in.readInt("header compression level");
            if (level != 0) {
                throw compressed("zlib level " + (level == -1 ? "default" : Long.toString(level)));
            }
        }
        for (int i = 0; i < 7; i++) {
            in.readInt("header creation date");
        }
        String database = in.readStr("header database name");
        String server = in.readStr("header server version");
        String pgDump = in.readStr("header pg_dump version");
        return new ArchiveHeader(version, intSize, offSize, database, server, pgDump);
    }

    private static ArchiveFormatException compressed(String how) {
        return new ArchiveFormatException("compressed archive (" + how + "): fingerprints are taken from an uncompressed "
                + "archive; run pg_dump with --compress=0 (compression happens after pg_dump)");
    }

    private static String guess(byte[] m) {
        if ((m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) {
            return "gzip data";
        }
        if ((m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) {
            return "zstd data (decompress first)";
        }
        if (m[0] == '-' && m[1] == '-') {
            return "looks like a plain SQL dump (pg_dump -Fp)";
        }
        return "starts with bytes " + java.util.HexFormat.of().formatHex(m);
    }
}
