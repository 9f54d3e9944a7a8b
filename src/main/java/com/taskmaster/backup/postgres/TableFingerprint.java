package com.taskmaster.backup.postgres;

import java.util.Objects;

/** What a table held in the backup's snapshot: its exact row count. Compared after every restore. */
public record TableFingerprint(String schema, String name, long rows) {
    public TableFingerprint {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
        if (rows < 0) {
            throw new IllegalArgumentException("negative row count");
        }
    }

    /** schema.name, as pg_restore --list shows it (unquoted). */
    public String qualifiedName() {
        return schema + "." + name;
    }
}
