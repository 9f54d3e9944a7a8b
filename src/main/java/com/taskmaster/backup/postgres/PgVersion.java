package com.taskmaster.backup.postgres;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PostgreSQL version: major (e.g. 15, or 9 for 9.6) and the full text as reported. */
public record PgVersion(int major, String text) {
    private static final Pattern TOOL = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");

    /** Parses the first line of {@code pg_dump --version}: "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
    public static PgVersion ofToolOutput(String output) {
        String line = output == null ? "" : output.strip().lines().findFirst().orElse("");
        Matcher m = TOOL.matcher(line);
        if (!m.find()) {
            throw new IllegalArgumentException("cannot read a PostgreSQL version from '" + line + "'");
        }
        int major = Integer.parseInt(m.group(1));
        String version = m.group(1) + (m.group(2) != null ? "." + m.group(2) : "");
        return new PgVersion(major < 10 && m.group(2) != null ? major * 100 + Integer.parseInt(m.group(2)) : major, version);
    }

    /** From {@code server_version_num}, e.g. 150018 → 15 (and 90624 → 906 for the pre-10 scheme). */
    public static PgVersion ofServerVersionNum(int num, String text) {
        return new PgVersion(num >= 100000 ? num / 10000 : num / 100, text);
    }

    /**
     * pg_dump can dump servers of its own major version and older only; refuse before anything starts.
     */
    public static void checkCompatible(PgVersion pgDump, PgVersion server) {
        if (pgDump.major < server.major) {
            throw new IllegalStateException("pg_dump " + pgDump.text + " is older than the server's PostgreSQL "
                    + server.text + ": pg_dump cannot dump a newer server; install pg_dump " + displayMajor(server)
                    + " or newer (BACKUP_PG_BIN, or the Lambda layer built for PostgreSQL " + displayMajor(server) + ")");
        }
    }

    private static String displayMajor(PgVersion v) {
        return v.major >= 100 ? (v.major / 100) + "." + (v.major % 100) : Integer.toString(v.major);
    }
}
