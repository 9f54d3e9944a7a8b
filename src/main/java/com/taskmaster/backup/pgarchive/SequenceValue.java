package com.taskmaster.backup.pgarchive;

import java.util.Objects;

/** A sequence's state as the archive sets it ({@code setval(name, lastValue, isCalled)}). */
public record SequenceValue(String schema, String name, long lastValue, boolean isCalled) {
    public SequenceValue {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
    }

    public String qualifiedSql() {
        return Sql.ident(schema) + "." + Sql.ident(name);
    }

    public String displayName() {
        return Sql.display(schema + "." + name);
    }

    String describe() {
        return lastValue + (isCalled ? " (called)" : " (not called)");
    }
}
