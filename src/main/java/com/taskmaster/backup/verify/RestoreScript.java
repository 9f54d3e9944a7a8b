package com.taskmaster.backup.verify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scans the SQL script that {@code pg_restore --file=-} writes, without keeping it: every
 * {@code TABLE DATA} entry (from pg_restore's own "-- Data for Name: ...; Type: TABLE DATA; Schema: ...;"
 * comment) and the number of COPY rows that follow it. In COPY text format each row is one line
 * (newlines inside values are escaped) and the data ends with a line {@code \.}. Names are another matter: in the
 * comment pg_restore prints a newline of a name as a space, but the COPY header quotes the name as it is, so a
 * header may span several lines (up to the one ending with {@code FROM stdin;}).
 */
final class RestoreScript {
    private static final String DATA_HEADER = "-- Data for Name: ";
    private static final String TYPE_TABLE_DATA = "; Type: TABLE DATA; Schema: ";
    private static final String OWNER = "; Owner: ";
    private static final byte[] DATA_HEADER_BYTES = bytes(DATA_HEADER);
    private static final byte[] COPY = bytes("COPY ");
    private static final byte[] FROM_STDIN = bytes(" FROM stdin;");
    private static final byte[] END_OF_DATA = bytes("\\.");
    /** Kept of each line: a comment header names a table by two identifiers of at most 63 bytes each, and its owner. */
    private static final int KEEP = 8192;
    private static final int TAIL = 64; // a power of two

    private final Map<String, Long> rows = new LinkedHashMap<>();
    private String pendingTable;
    private String copyTable;
    /** Inside a COPY header that a quoted name holding a newline continues on the next line(s). */
    private boolean copyHeader;
    private long count;

    /** The script itself is not what pg_restore writes for a whole archive (as opposed to a failure to read it). */
    static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }
    }

    /** schema.name → rows, in archive order. */
    static Map<String, Long> scan(InputStream script) throws IOException {
        RestoreScript s = new RestoreScript();
        byte[] buf = new byte[64 * 1024];
        Line line = new Line();
        int n;
        while ((n = script.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    s.line(line);
                    line.clear();
                } else {
                    line.add(b);
                }
            }
        }
        if (line.length > 0) {
            s.line(line);
        }
        if (s.copyTable != null) {
            throw new Malformed("pg_restore's output ends inside the data of table " + s.copyTable);
        }
        return s.rows;
    }

    /**
     * One line, in bounded memory whatever its length: its first {@link #KEEP} bytes, its last {@link #TAIL}
     * bytes and its length. Enough to recognise every line the scan looks for: the comment headers are short,
     * and a COPY header, as long as its column list (a table of hundreds of columns makes it tens of KiB), is
     * known by its start and its end.
     */
    static final class Line {
        final byte[] head = new byte[KEEP];
        private final byte[] tail = new byte[TAIL];
        long length;

        void add(byte b) {
            if (length < KEEP) {
                head[(int) length] = b;
            }
            tail[(int) length & (TAIL - 1)] = b;
            length++;
        }

        void clear() {
            length = 0;
        }

        boolean is(byte[] text) {
            return length == text.length && startsWith(text);
        }

        boolean startsWith(byte[] p) {
            if (length < p.length || p.length > KEEP) {
                return false;
            }
            for (int i = 0; i < p.length; i++) {
                if (head[i] != p[i]) {
                    return false;
                }
            }
            return true;
        }

        boolean endsWith(byte[] p) {
            if (length < p.length || p.length > TAIL) {
                return false;
            }
            for (int i = 0; i < p.length; i++) {
                if (tail[(int) (length - p.length + i) & (TAIL - 1)] != p[i]) {
                    return false;
                }
            }
            return true;
        }

        /** The line as text when it is short enough to have been kept whole; else null. */
        String text() {
            return length <= KEEP ? new String(head, 0, (int) length, StandardCharsets.UTF_8) : null;
        }
    }

    private void line(Line line) {
        if (copyTable != null) {
            if (line.is(END_OF_DATA)) {
                rows.merge(copyTable, count, Long::sum);
                copyTable = null;
            } else {
                count++;
            }
            return;
        }
        if (line.startsWith(DATA_HEADER_BYTES)) {
            copyHeader = false;
            String text = line.text();
            pendingTable = text == null ? null : tableOf(text.substring(DATA_HEADER.length()));
            if (pendingTable != null) {
                rows.putIfAbsent(pendingTable, 0L);
            }
        } else if (pendingTable != null && (copyHeader || line.startsWith(COPY))) {
            if (line.endsWith(FROM_STDIN)) {
                copyTable = pendingTable;
                pendingTable = null;
                copyHeader = false;
                count = 0;
            } else {
                copyHeader = true; // "COPY public."we<newline>ird" (x) FROM stdin;": the header goes on
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** "name; Type: TABLE DATA; Schema: schema; Owner: owner" → "schema.name"; other entry types → null. */
    static String tableOf(String header) {
        int type = header.lastIndexOf(TYPE_TABLE_DATA);
        if (type < 0) {
            return null;
        }
        String name = header.substring(0, type);
        String rest = header.substring(type + TYPE_TABLE_DATA.length());
        int owner = rest.lastIndexOf(OWNER);
        String schema = owner < 0 ? rest : rest.substring(0, owner);
        return schema + "." + name;
    }
}
