package com.taskmaster.backup.pgarchive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a pg_dump custom-format archive front to back, as pg_dump writes it to a pipe: header, table of
 * contents, then one data block per entry with data, in TOC order (pg_backup_custom.c). It never seeks and
 * holds only the TOC (the schema's size, not the data's) and one 64 KiB buffer.
 *
 * <pre>
 * ArchiveReader r = ArchiveReader.open(in);
 * for (DataBlock b; (b = r.nextBlock()) != null; ) {
 *     if (b.kind() == Kind.TABLE_DATA) r.readData(sink);                      // the COPY text of one table
 *     else for (long oid; (oid = r.nextLargeObject()) >= 0; ) r.readData(sink); // one large object each
 * }
 * </pre>
 * A data block is a sequence of chunks (a length, then that many bytes) ended by a zero length; with
 * {@code --compress=0} the bytes are exactly what the server sent: COPY text, or large object contents.
 */
public final class ArchiveReader {
    /** BLK_DATA and BLK_BLOBS of pg_backup_archiver.h. */
    public enum Kind { TABLE_DATA, LARGE_OBJECTS }

    /** A data block: its kind and the TOC entry it belongs to. */
    public record DataBlock(Kind kind, TocEntry entry) {
    }

    private static final int BLK_DATA = 1;
    private static final int BLK_BLOBS = 3;
    private static final Pattern SET_VALUE = Pattern.compile("SET \\w+ = '([^']*)';");

    private enum State { BETWEEN_BLOCKS, DATA_UNREAD, BETWEEN_LARGE_OBJECTS, LARGE_OBJECT_UNREAD, DONE }

    private final ArchiveInput in;
    private final ArchiveHeader header;
    private final List<TocEntry> toc;
    private final Map<Integer, TocEntry> byId = new HashMap<>();
    private final Map<Integer, Boolean> dataSeen = new HashMap<>();
    private final String encoding;
    private final String standardConformingStrings;
    private State state = State.BETWEEN_BLOCKS;
    private DataBlock current;

    private ArchiveReader(ArchiveInput in, ArchiveHeader header, List<TocEntry> toc, String encoding, String stdStrings) {
        this.in = in;
        this.header = header;
        this.toc = toc;
        this.encoding = encoding;
        this.standardConformingStrings = stdStrings;
        for (TocEntry e : toc) {
            if (byId.put(e.dumpId(), e) != null) {
                throw new IllegalStateException("duplicate TOC entry id " + e.dumpId());
            }
        }
    }

    /** Reads the header and the table of contents; the data follows with {@link #nextBlock()}. */
    public static ArchiveReader open(InputStream stream) throws IOException {
        ArchiveInput in = new ArchiveInput(stream);
        ArchiveHeader header = ArchiveHeader.read(in);
        int count = in.readCount("TOC entry count", 50_000_000);
        List<TocEntry> toc = new ArrayList<>(Math.min(count, 100_000));
        String encoding = null;
        String stdStrings = null;
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            TocEntry e = TocEntry.read(in, header.minor(), header.offSize());
            if (!ids.add(e.dumpId())) {
                throw new ArchiveFormatException("damaged archive: TOC entry id " + e.dumpId() + " appears twice");
            }
            if (e.desc().equals("ENCODING")) {
                encoding = settingValue(e);
                in.charset(charsetOf(encoding));    // names after this entry are in the archive's encoding
            } else if (e.desc().equals("STDSTRINGS")) {
                stdStrings = settingValue(e);
            }
            toc.add(e);
        }
        return new ArchiveReader(in, header, Collections.unmodifiableList(toc), encoding, stdStrings);
    }

    public ArchiveHeader header() {
        return header;
    }

    public List<TocEntry> toc() {
        return toc;
    }

    /** The client encoding of pg_dump's session (its ENCODING entry): the encoding of all COPY text. */
    public Optional<String> encoding() {
        return Optional.ofNullable(encoding);
    }

    /** standard_conforming_strings of pg_dump's session (its STDSTRINGS entry), "on" or "off". */
    public Optional<String> standardConformingStrings() {
        return Optional.ofNullable(standardConformingStrings);
    }

    /** Bytes read so far. */
    public long position() {
        return in.position();
    }

    /**
     * The next data block, skipping whatever of the previous one was not read; null at the end of the archive,
     * after checking that every entry with data had its block.
     */
    public DataBlock nextBlock() throws IOException {
        skipRest();
        if (state == State.DONE) {
            return null;
        }
        long at = in.position();
        int type = in.readByteOrEnd();
        if (type < 0) {
            state = State.DONE;
            checkAllDataSeen();
            return null;
        }
        if (type != BLK_DATA && type != BLK_BLOBS) {
            throw new ArchiveFormatException("damaged archive: unknown data block type " + type + " at byte " + at);
        }
        long id = in.readInt("data block header");
        TocEntry e = id > 0 && id <= Integer.MAX_VALUE ? byId.get((int) id) : null;
        if (e == null || !e.hasData()) {
            throw new ArchiveFormatException("damaged archive: data block at byte " + at + " names TOC entry " + id
                    + (e == null ? ", which does not exist" : " (" + e.desc() + "), which has no data"));
        }
        if (dataSeen.put(e.dumpId(), Boolean.TRUE) != null) {
            throw new ArchiveFormatException("damaged archive: second data block for " + e.desc() + " " + e.displayName());
        }
        if (type == BLK_DATA) {
            current = new DataBlock(Kind.TABLE_DATA, e);
            state = State.DATA_UNREAD;
        } else {
            current = new DataBlock(Kind.LARGE_OBJECTS, e);
            state = State.BETWEEN_LARGE_OBJECTS;
        }
        return current;
    }

    /** Inside a large-objects block: the next object's OID (unsigned), or -1 after the last one. */
    public long nextLargeObject() throws IOException {
        if (state == State.LARGE_OBJECT_UNREAD) {
            readData((b, off, len) -> { });
        }
        if (state != State.BETWEEN_LARGE_OBJECTS) {
            throw new IllegalStateException("not inside a large-objects block");
        }
        // OIDs are unsigned 32-bit values written through a signed int: WriteInt(-x) for OIDs above 2^31.
        long oid = in.readInt("large object OID in " + current.entry().displayName()) & 0xFFFFFFFFL;
        if (oid == 0) {
            state = State.BETWEEN_BLOCKS;
            return -1;
        }
        state = State.LARGE_OBJECT_UNREAD;
        return oid;
    }

    /** Hands the current table's data, or the current large object's contents, to the sink, chunk by chunk. */
    public void readData(ByteSink sink) throws IOException {
        if (state != State.DATA_UNREAD && state != State.LARGE_OBJECT_UNREAD) {
            throw new IllegalStateException("no unread data here");
        }
        String what = "data of " + current.entry().desc() + " " + current.entry().displayName();
        for (;;) {
            long at = in.position();
            long len = in.readInt(what);
            if (len == 0) {
                break;
            }
            if (len < 0) {
                throw new ArchiveFormatException("damaged archive: chunk length " + len + " in " + what + " at byte " + at);
            }
            in.stream(len, sink, what);
        }
        state = state == State.DATA_UNREAD ? State.BETWEEN_BLOCKS : State.BETWEEN_LARGE_OBJECTS;
    }

    private void skipRest() throws IOException {
        if (state == State.DATA_UNREAD) {
            readData((b, off, len) -> { });
        }
        while (state == State.BETWEEN_LARGE_OBJECTS || state == State.LARGE_OBJECT_UNREAD) {
            nextLargeObject();
        }
    }

    private void checkAllDataSeen() throws ArchiveFormatException {
        for (TocEntry e : toc) {
            if (e.hasData() && !dataSeen.containsKey(e.dumpId())) {
                throw new ArchiveFormatException("archive ends before the data of " + e.desc() + " " + e.displayName()
                        + " (incomplete stream: did pg_dump fail?)");
            }
        }
    }

    private static String settingValue(TocEntry e) throws ArchiveFormatException {
        Matcher m = SET_VALUE.matcher(e.defn() == null ? "" : e.defn());
        if (!m.find()) {
            throw new ArchiveFormatException("damaged archive: " + e.desc() + " entry without a value: " + e.defn());
        }
        return m.group(1);
    }

    /**
     * The Java charset of a PostgreSQL encoding name, for TOC strings (names). Unknown encodings read as
     * ISO-8859-1, which keeps every byte: names then look odd in messages but reach the server unchanged
     * if the restore side uses the same charset.
     */
    static Charset charsetOf(String pgEncoding) {
        String e = pgEncoding.toUpperCase(java.util.Locale.ROOT).replace("_", "").replace("-", "");
        switch (e) {
            case "UTF8":
            case "UNICODE":
                return StandardCharsets.UTF_8;
            case "LATIN1":
            case "SQLASCII":
                return StandardCharsets.ISO_8859_1;
            default:
                break;
        }
        String java = switch (e) {
            case "LATIN2" -> "ISO-8859-2";
            case "LATIN9" -> "ISO-8859-15";
            case "WIN1250" -> "windows-1250";
            case "WIN1251" -> "windows-1251";
            case "WIN1252" -> "windows-1252";
            case "EUCJP" -> "EUC-JP";
            case "SJIS" -> "Shift_JIS";
            case "GBK" -> "GBK";
            case "BIG5" -> "Big5";
            case "KOI8R" -> "KOI8-R";
            default -> null;
        };
        try {
            return java == null ? StandardCharsets.ISO_8859_1 : Charset.forName(java);
        } catch (IllegalArgumentException unsupported) {
            return StandardCharsets.ISO_8859_1;
        }
    }
}
