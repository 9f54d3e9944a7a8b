package com.taskmaster.backup.pgarchive;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The session settings that decide how values are written as COPY text, beyond the encoding: the same
 * settings must be in force when the text is produced again on a restored database.
 *
 * <p>pg_dump sets three itself (setup_connection in pg_dump.c: {@code DateStyle = ISO}, {@code IntervalStyle =
 * postgres}, {@code extra_float_digits = 3}). It leaves the others at the server's defaults for the role and
 * database, which can be anything: {@code TimeZone} (timestamptz text), {@code bytea_output} (hex or escape) and
 * {@code lc_monetary} (money). The backup therefore pins the first two for pg_dump's session through libpq's
 * environment ({@link #pgDumpEnvironment()}: {@code PGTZ}, {@code PGOPTIONS}); lc_monetary is not pinned,
 * because money text is read back by pg_restore under the target's lc_monetary (pinning it would change what
 * is restored), so the backup records the value its own session sees in the same database as the same role.
 *
 * @param lcMonetary null when not recorded: the restore side then leaves it at the target's default
 */
public record SessionSettings(String dateStyle, String intervalStyle, int extraFloatDigits, String timeZone,
                              String byteaOutput, String lcMonetary) {
    /** What pg_dump sets in every session (pg_dump 9.0 and later, unless --extra-float-digits is given). */
    public static final String PG_DUMP_DATESTYLE = "ISO";
    public static final String PG_DUMP_INTERVALSTYLE = "postgres";
    public static final int PG_DUMP_EXTRA_FLOAT_DIGITS = 3;
    /** What the backup pins for pg_dump. */
    public static final String PINNED_TIMEZONE = "UTC";
    public static final String PINNED_BYTEA_OUTPUT = "hex";

    public SessionSettings {
        Objects.requireNonNull(dateStyle, "dateStyle");
        Objects.requireNonNull(intervalStyle, "intervalStyle");
        Objects.requireNonNull(timeZone, "timeZone");
        Objects.requireNonNull(byteaOutput, "byteaOutput");
    }

    /** pg_dump's own settings plus the pinned ones, with lc_monetary as recorded by the backup (or null). */
    public static SessionSettings forPgDump(String lcMonetary) {
        return new SessionSettings(PG_DUMP_DATESTYLE, PG_DUMP_INTERVALSTYLE, PG_DUMP_EXTRA_FLOAT_DIGITS, PINNED_TIMEZONE,
                PINNED_BYTEA_OUTPUT, lcMonetary);
    }

    /**
     * Environment for pg_dump that pins TimeZone and bytea_output in its session. PGOPTIONS replaces any
     * PGOPTIONS already set: a caller that passes its own options (Neon's {@code endpoint=...}) must join them,
     * options first, separated by a space.
     */
    public Map<String, String> pgDumpEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGTZ", timeZone);
        env.put("PGOPTIONS", "-c bytea_output=" + byteaOutput);
        return env;
    }

    /** The SET LOCAL statements that reproduce these settings in a transaction. */
    List<String> setLocalStatements() {
        List<String> sql = new ArrayList<>();
        sql.add("SET LOCAL DateStyle = " + Sql.literal(dateStyle));
        sql.add("SET LOCAL IntervalStyle = " + Sql.literal(intervalStyle));
        sql.add("SET LOCAL extra_float_digits = " + extraFloatDigits);
        sql.add("SET LOCAL TimeZone = " + Sql.literal(timeZone));
        sql.add("SET LOCAL bytea_output = " + Sql.literal(byteaOutput));
        if (lcMonetary != null) {
            sql.add("SET LOCAL lc_monetary = " + Sql.literal(lcMonetary));
        }
        return sql;
    }
}
