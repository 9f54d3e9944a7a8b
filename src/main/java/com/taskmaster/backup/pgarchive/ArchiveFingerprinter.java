package com.taskmaster.backup.pgarchive;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fingerprints an archive as it streams past: each TABLE DATA block's COPY text becomes a {@link TableDigest},
 * every large object of the BLOBS blocks goes into one {@link LargeObjectsDigest}, every SEQUENCE SET entry
 * gives a {@link SequenceValue}. Reads the whole stream (to its end: trailing garbage is an error), never more
 * than one buffer at a time.
 */
public final class ArchiveFingerprinter {
    /** The archive's fingerprints, with its header and table of contents (owners, ACLs... for the caller). */
    public record Result(ArchiveHeader header, List<TocEntry> toc, Fingerprints fingerprints) {
    }

    private static final Pattern COPY = Pattern.compile("(?s)COPY (.+) FROM stdin;\\s*");
    private static final Pattern SETVAL = Pattern.compile("(?s)SELECT pg_catalog\\.setval\\(.*, (-?\\d+), (true|false)\\);\\s*");

    private ArchiveFingerprinter() {
    }

    /**
     * Reads the archive to its end.
     *
     * @param session the settings pg_dump's session had (pg_dump's own and what the backup pinned): recorded, not
     *                checked (the archive does not say)
     */
    public static Result fingerprint(InputStream archive, FingerprintKey key, SessionSettings session) throws IOException {
        ArchiveReader reader = ArchiveReader.open(archive);
        RowHasher hasher = new RowHasher(key);
        List<TableDigest> tables = new ArrayList<>();
        MultisetDigest largeObjects = new MultisetDigest();
        for (ArchiveReader.DataBlock block; (block = reader.nextBlock()) != null; ) {
            TocEntry e = block.entry();
            if (block.kind() == ArchiveReader.Kind.TABLE_DATA) {
                tables.add(tableData(reader, e, hasher));
            } else {
                for (long oid; (oid = reader.nextLargeObject()) >= 0; ) {
                    hasher.begin(RowHasher.largeObjectPrefix(oid));
                    reader.readData(hasher::update);
                    largeObjects.add(hasher.finish());
                }
            }
        }
        List<SequenceValue> sequences = new ArrayList<>();
        for (TocEntry e : reader.toc()) {
            if (e.desc().equals("SEQUENCE SET")) {
                sequences.add(sequenceValue(e));
            }
        }
        ArchiveHeader h = reader.header();
        TextForm form = new TextForm(h.version(), h.serverVersion(), h.pgDumpVersion(),
                reader.encoding().orElseThrow(() -> new ArchiveFormatException("the archive has no ENCODING entry")),
                reader.standardConformingStrings().orElse(null), session);
        Fingerprints fp = new Fingerprints(Fingerprints.ALGORITHM, form, tables,
                new LargeObjectsDigest(largeObjects.count(), largeObjects.hex()), sequences);
        return new Result(h, reader.toc(), fp);
    }

    private static TableDigest tableData(ArchiveReader reader, TocEntry e, RowHasher hasher) throws IOException {
        if (!e.desc().equals("TABLE DATA")) {
            throw new ArchiveFormatException("data block of a " + e.desc() + " entry (" + e.displayName()
                    + "): only TABLE DATA and BLOBS carry data");
        }
        String columns = columnList(e);
        CopyRows rows = new CopyRows(hasher, true, "table " + Sql.display(e.displayName()));
        reader.readData(rows);
        rows.finish();
        return new TableDigest(e.namespace(), e.tag(), columns, rows.rows(), rows.digest());
    }

    /**
     * The column list of a TABLE DATA entry's {@code COPY schema.table (columns) FROM stdin;}: what follows the
     * two identifiers (each quoted or not, pg_dump's fmtId), "" when the table has no columns.
     */
    static String columnList(TocEntry e) throws ArchiveFormatException {
        String stmt = e.copyStmt();
        Matcher m = stmt == null ? null : COPY.matcher(stmt);
        if (m == null || !m.matches()) {
            throw new ArchiveFormatException("the data of table " + Sql.display(e.displayName()) + " is not COPY text "
                    + "(copy statement: " + (stmt == null || stmt.isEmpty() ? "none: pg_dump --inserts?" : Sql.display(stmt)) + ")");
        }
        String target = m.group(1);
        int i = skipIdentifier(target, 0);
        if (i < target.length() && target.charAt(i) == '.') {
            i = skipIdentifier(target, i + 1);
        }
        String rest = target.substring(i).strip();
        if (!rest.isEmpty() && !(rest.startsWith("(") && rest.endsWith(")"))) {
            throw new ArchiveFormatException("cannot read the column list of table " + Sql.display(e.displayName())
                    + " from its copy statement: " + Sql.display(stmt));
        }
        return rest;
    }

    private static int skipIdentifier(String s, int from) throws ArchiveFormatException {
        int i = from;
        if (i < s.length() && s.charAt(i) == '"') {
            i++;
            while (i < s.length()) {
                if (s.charAt(i) == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i++;
            }
            throw new ArchiveFormatException("unterminated quoted identifier in copy statement: " + Sql.display(s));
        }
        while (i < s.length() && s.charAt(i) != '.' && s.charAt(i) != ' ') {
            i++;
        }
        return i;
    }

    private static SequenceValue sequenceValue(TocEntry e) throws ArchiveFormatException {
        Matcher m = SETVAL.matcher(e.defn() == null ? "" : e.defn());
        if (!m.matches()) {
            throw new ArchiveFormatException("cannot read the value of sequence " + Sql.display(e.displayName())
                    + " from: " + Sql.display(String.valueOf(e.defn())));
        }
        return new SequenceValue(e.namespace(), e.tag(), Long.parseLong(m.group(1)), Boolean.parseBoolean(m.group(2)));
    }
}
