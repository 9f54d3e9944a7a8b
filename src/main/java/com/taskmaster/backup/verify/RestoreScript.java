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
 * (newlines inside values are escaped) and the data ends with a line {@code \.}.
 */
final class RestoreScript {
    private static final String DATA_HEADER = "-- Data for Name: ";
    private static final String TYPE_TABLE_DATA = "; Type: TABLE DATA; Schema: ";
    private static final String OWNER = "; Owner: ";
    private static final int KEEP = 8192; // longer lines are only ever data rows, and are counted, not kept

    private final Map<String, Long> rows = new LinkedHashMap<>();
    private String pendingTable;
    private String copyTable;
    private long count;

    /** schema.name → rows, in archive order. */
    static Map<String, Long> scan(InputStream script) throws IOException {
        RestoreScript s = new RestoreScript();
        byte[] buf = new byte[64 * 1024];
        byte[] line = new byte[KEEP];
        int len = 0;
        int n;
        while ((n = script.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    s.line(line, len);
                    len = 0;
                } else {
                    if (len < KEEP) {
                        line[len] = b;
                    }
                    len++;
                }
            }
        }
        if (len > 0) {
            s.line(line, len);
        }
        if (s.copyTable != null) {
            throw new IOException("pg_restore's output ends inside the data of table " + s.copyTable);
        }
        return s.rows;
    }

    private void line(byte[] line, int len) {
        if (copyTable != null) {
            if (len == 2 && line[0] == '\\' && line[1] == '.') {
                rows.merge(copyTable, count, Long::sum);
                copyTable = null;
            } else {
                count++;
            }
            return;
        }
        String text = new String(line, 0, Math.min(len, KEEP), StandardCharsets.UTF_8);
        if (text.startsWith(DATA_HEADER)) {
            pendingTable = tableOf(text.substring(DATA_HEADER.length()));
            if (pendingTable != null) {
                rows.putIfAbsent(pendingTable, 0L);
            }
        } else if (pendingTable != null && text.startsWith("COPY ") && text.endsWith(" FROM stdin;")) {
            copyTable = pendingTable;
            pendingTable = null;
            count = 0;
        }
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
