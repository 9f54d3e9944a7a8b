package com.taskmaster.backup.pgarchive;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the archive's table of contents (pg_backup_archiver.c: WriteToc/ReadToc), without its drop
 * statement (not needed here).
 *
 * @param dumpId       the entry's id; data blocks name it
 * @param hasData      pg_dump wrote a data block for it (TABLE DATA, BLOBS)
 * @param tag          the object's name, unquoted (a table's name for TABLE DATA)
 * @param desc         the kind: "TABLE DATA", "SEQUENCE SET", "BLOBS", "ENCODING", "TABLE", "ACL", ...
 * @param section      1 none, 2 pre-data, 3 data, 4 post-data
 * @param defn         the SQL that creates it (may be empty)
 * @param copyStmt     for TABLE DATA: {@code COPY schema.table (columns) FROM stdin;}; otherwise empty or null
 * @param namespace    the schema, unquoted (null or empty for objects outside schemas)
 * @param owner        the owning role (empty where none)
 * @param dependencies dump ids this entry depends on
 */
public record TocEntry(int dumpId, boolean hasData, String tableOid, String oid, String tag, String desc, int section,
                       String defn, String copyStmt, String namespace, String tablespace, String tableAm, String owner,
                       List<Integer> dependencies) {
    public TocEntry {
        Objects.requireNonNull(desc, "desc");
        dependencies = List.copyOf(dependencies);
    }

    static TocEntry read(ArchiveInput in, int minor, int offSize) throws IOException {
        long at = in.position();
        long id = in.readInt("TOC entry id");
        if (id <= 0 || id > Integer.MAX_VALUE) {
            throw new ArchiveFormatException("damaged archive: TOC entry id " + id + " at byte " + at);
        }
        String what = "TOC entry " + id;
        boolean hasData = in.readInt(what) != 0;
        String tableOid = in.readStr(what);
        String oid = in.readStr(what);
        String tag = in.readStr(what);
        String desc = in.readStr(what);
        if (desc == null) {
            throw new ArchiveFormatException("damaged archive: " + what + " has no kind (desc) at byte " + at);
        }
        int section = (int) in.readInt(what);
        String defn = in.readStr(what);
        in.skipStr(what);                       // dropStmt
        String copyStmt = in.readStr(what);
        String namespace = in.readStr(what);
        String tablespace = in.readStr(what);
        String tableAm = minor >= 14 ? in.readStr(what) : null;
        if (minor >= 16) {
            in.readInt(what);                   // relkind (pg_dump 17)
        }
        String owner = in.readStr(what);
        String withOids = in.readStr(what);
        if ("true".equals(withOids)) {
            throw new ArchiveFormatException(what + " (" + desc + " " + tag + ") is a table WITH OIDS, which no "
                    + "supported PostgreSQL restores");
        }
        List<Integer> deps = new ArrayList<>();
        for (String dep = in.readStr(what); dep != null; dep = in.readStr(what)) {
            try {
                deps.add(Integer.parseInt(dep.strip()));
            } catch (NumberFormatException e) {
                throw new ArchiveFormatException("damaged archive: dependency '" + dep + "' of " + what);
            }
        }
        int flag = in.readByte(what + " data offset");    // K_OFFSET_POS_NOT_SET 1, POS_SET 2, NO_DATA 3
        if (flag < 1 || flag > 3) {
            throw new ArchiveFormatException("damaged archive: data offset flag " + flag + " of " + what);
        }
        for (int i = 0; i < offSize; i++) {
            in.readByte(what + " data offset");
        }
        return new TocEntry((int) id, hasData, tableOid, oid, tag, desc, section, defn, copyStmt, namespace, tablespace,
                tableAm, owner, deps);
    }

    /** schema.tag, unquoted, for messages. */
    public String displayName() {
        return (namespace == null || namespace.isEmpty() ? "" : namespace + ".") + tag;
    }
}
