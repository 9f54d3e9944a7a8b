package com.taskmaster.backup.pgarchive;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Rewrites a version 1.14 archive (what pg_dump 12 to 15 write, the only pg_dump installed here) into the
 * layouts of pg_dump 16 and 17, as pg_backup_archiver.c of those versions writes them: 1.15 replaces the
 * header's compression level (an int) by a compression algorithm byte; 1.16 adds each TOC entry's relkind
 * (an int after the table access method). Assumes 4-byte ints and 8-byte offsets, as on every platform here.
 */
final class ArchiveVersions {
    private ArchiveVersions() {
    }

    /** Header offsets: magic 0-4, version 5-7, intSize 8, offSize 9, format 10, compression int 11-15. */
    static byte[] toV115(byte[] v114, int algorithm) {
        check(v114);
        ByteArrayOutputStream out = new ByteArrayOutputStream(v114.length);
        out.write(v114, 0, 11);
        out.write(algorithm);
        out.write(v114, 16, v114.length - 16);
        byte[] b = out.toByteArray();
        b[6] = 15;
        return b;
    }

    static byte[] toV116(byte[] v114) {
        byte[] v115 = toV115(v114, 0);
        Cursor c = new Cursor(v115);
        c.copy(12);                          // header up to the algorithm byte
        for (int i = 0; i < 7; i++) {
            c.integer();                     // creation date
        }
        c.string();                          // database name
        c.string();                          // server version
        c.string();                          // pg_dump version
        int entries = c.integer();
        for (int e = 0; e < entries; e++) {
            c.integer();                     // dump id
            c.integer();                     // had dumper
            for (int s = 0; s < 10; s++) {
                c.string();                  // tableoid, oid, tag, desc, defn, drop, copy, namespace, tablespace, tableam
                if (s == 3) {
                    c.integer();             // section, after desc
                }
            }
            c.out.write(new byte[]{0, 'r', 0, 0, 0}, 0, 5);   // relkind 'r'
            c.string();                      // owner
            c.string();                      // with oids
            while (c.string() >= 0) {
                // dependencies, ended by a NULL string
            }
            c.copy(1 + 8);                   // offset flag and offset
        }
        c.copy(v115.length - c.pos);
        byte[] b = c.out.toByteArray();
        b[6] = 16;
        return b;
    }

    private static void check(byte[] a) {
        if (!Arrays.equals(Arrays.copyOf(a, 5), "PGDMP".getBytes()) || a[6] != 14 || a[8] != 4 || a[9] != 8) {
            throw new IllegalArgumentException("not a 1.14 archive with 4-byte ints and 8-byte offsets");
        }
    }

    /** Copies the archive while walking it; the 10 strings of a 1.14 TOC entry before its owner are read in order. */
    private static final class Cursor {
        final byte[] in;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos;

        Cursor(byte[] in) {
            this.in = in;
        }

        void copy(int n) {
            out.write(in, pos, n);
            pos += n;
        }

        int integer() {
            int sign = in[pos];
            int v = (in[pos + 1] & 0xff) | (in[pos + 2] & 0xff) << 8 | (in[pos + 3] & 0xff) << 16 | (in[pos + 4] & 0xff) << 24;
            copy(5);
            return sign == 1 ? -v : v;
        }

        /** Copies a string; returns its length (-1 for NULL). */
        int string() {
            int len = integer();
            if (len > 0) {
                copy(len);
            }
            return len;
        }
    }
}
