package com.taskmaster.backup.pgarchive;

import java.util.Objects;

/**
 * One table's content: its exact row count and the digest of its rows in COPY text form.
 *
 * @param schema  the schema, unquoted
 * @param name    the table, unquoted
 * @param columns the column list of the archive's COPY statement, as pg_dump wrote it, e.g. {@code (id, "Name")},
 *                or "" for a table without columns; the restore side copies exactly these columns, in this order
 * @param rows    exact number of rows
 * @param digest  64 hex digits (docs/FINGERPRINTS.md)
 */
public record TableDigest(String schema, String name, String columns, long rows, String digest) {
    public TableDigest {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(columns, "columns");
        Objects.requireNonNull(digest, "digest");
        if (rows < 0) {
            throw new IllegalArgumentException("negative row count");
        }
    }

    /** The table as SQL: both names always quoted, so any name works. */
    public String qualifiedSql() {
        return Sql.ident(schema) + "." + Sql.ident(name);
    }

    /** The table for messages: schema.name, with control characters escaped. */
    public String displayName() {
        return Sql.display(schema + "." + name);
    }
}
