package com.taskmaster.backup.pgarchive;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.Charset;
import java.util.Map;

/**
 * A custom-format archive with roles renamed (restore's {@code "roleMap"}): every TOC entry's owner field, and the
 * role names in the SQL of its {@code ACL}, {@code DEFAULT ACL} and {@code POLICY} entries ({@link ArchiveRoles#rename}),
 * become their mapped names; every other byte, the data blocks included, is passed through unchanged. pg_restore then
 * restores ownership and privileges itself, exactly as for the original names ({@code ALTER ... OWNER TO} from the owner
 * field, the ACL entries' GRANT/REVOKE), in its one transaction.
 *
 * <p>Entries change length, so data offsets recorded in the TOC would no longer hold; pg_restore ignores them when it
 * reads a pipe (it reads data blocks in sequence), which is how restore feeds it. The header and table of contents (the
 * schema's size) are rewritten in memory; the data streams.
 */
public final class TocRewriter {
    private TocRewriter() {
    }

    /** The archive read from {@code archive}, roles renamed as {@code map} says; unmapped roles stay as they are. */
    public static InputStream renameRoles(InputStream archive, Map<String, String> map) throws IOException {
        Recording recording = new Recording(archive);
        ArchiveInput in = new ArchiveInput(recording);
        ArchiveHeader header = ArchiveHeader.read(in);
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int count = in.readCount("TOC entry count", 50_000_000);
        head.write(recording.bytes(0, (int) in.position()));
        for (int i = 0; i < count; i++) {
            copyEntry(in, recording, head, header, map);
        }
        int end = (int) in.position();
        head.write(recording.bytes(end, recording.size() - end)); // what the reader's buffer held beyond the TOC
        recording.stop();
        return new SequenceInputStream(new ByteArrayInputStream(head.toByteArray()), recording);
    }

    private static void copyEntry(ArchiveInput in, Recording raw, ByteArrayOutputStream out, ArchiveHeader header,
                                  Map<String, String> map) throws IOException {
        int start = (int) in.position();
        String what = "TOC entry at byte " + start;
        in.readInt(what);                       // dump id
        in.readInt(what);                       // has data
        in.skipStr(what);                       // table oid
        in.skipStr(what);                       // oid
        in.skipStr(what);                       // tag
        String desc = in.readStr(what);
        in.readInt(what);                       // section
        int defnStart = (int) in.position();
        String defn = in.readStr(what);
        int defnEnd = (int) in.position();
        in.skipStr(what);                       // drop statement
        in.skipStr(what);                       // copy statement
        in.skipStr(what);                       // namespace
        in.skipStr(what);                       // tablespace
        if (header.minor() >= 14) {
            in.skipStr(what);                   // table access method
        }
        if (header.minor() >= 16) {
            in.readInt(what);                   // relkind
        }
        int ownerStart = (int) in.position();
        String owner = in.readStr(what);
        int ownerEnd = (int) in.position();
        in.skipStr(what);                       // with oids
        for (String dep = in.readStr(what); dep != null; dep = in.readStr(what)) {
            // dependencies
        }
        in.readByte(what);                      // data offset flag
        for (int i = 0; i < header.offSize(); i++) {
            in.readByte(what);
        }
        int end = (int) in.position();
        if ("ENCODING".equals(desc) && defn != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("SET \\w+ = '([^']*)';").matcher(defn);
            if (m.find()) {
                in.charset(ArchiveReader.charsetOf(m.group(1)));
            }
        }
        String newDefn = defn != null && desc != null && ArchiveRoles.ROLE_SQL.contains(desc) ? ArchiveRoles.rename(defn, map) : defn;
        String newOwner = owner == null ? null : map.getOrDefault(owner, owner);
        out.write(raw.bytes(start, defnStart - start));
        if (newDefn != null && !newDefn.equals(defn)) {
            writeStr(out, newDefn, in.charset(), header.intSize());
        } else {
            out.write(raw.bytes(defnStart, defnEnd - defnStart));
        }
        out.write(raw.bytes(defnEnd, ownerStart - defnEnd));
        if (newOwner != null && !newOwner.equals(owner)) {
            writeStr(out, newOwner, in.charset(), header.intSize());
        } else {
            out.write(raw.bytes(ownerStart, ownerEnd - ownerStart));
        }
        out.write(raw.bytes(ownerEnd, end - ownerEnd));
    }

    /** WriteStr: the length as WriteInt (a sign byte, then intSize bytes, least significant first), then the bytes. */
    private static void writeStr(ByteArrayOutputStream out, String s, Charset charset, int intSize) {
        byte[] b = s.getBytes(charset);
        out.write(0);
        for (int i = 0; i < intSize; i++) {
            out.write((int) ((long) b.length >>> (8 * i)) & 0xff);
        }
        out.writeBytes(b);
    }

    /** Passes reads through, keeping a copy of everything read until {@link #stop()}. */
    private static final class Recording extends FilterInputStream {
        private byte[] copy = new byte[128 * 1024];
        private int size;
        private boolean recording = true;

        Recording(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (recording && b >= 0) {
                keep(new byte[] {(byte) b}, 0, 1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (recording && n > 0) {
                keep(b, off, n);
            }
            return n;
        }

        private void keep(byte[] b, int off, int n) {
            if (size + n > copy.length) {
                copy = java.util.Arrays.copyOf(copy, Math.max(copy.length * 2, size + n));
            }
            System.arraycopy(b, off, copy, size, n);
            size += n;
        }

        int size() {
            return size;
        }

        byte[] bytes(int from, int length) {
            return java.util.Arrays.copyOfRange(copy, from, from + length);
        }

        void stop() {
            recording = false;
            copy = new byte[0];
            size = 0;
        }
    }
}
