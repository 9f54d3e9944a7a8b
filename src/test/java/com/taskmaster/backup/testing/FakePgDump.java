package com.taskmaster.backup.testing;

import com.taskmaster.backup.postgres.PgTools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** A pg_dump wrapper script (the real one is {@code $REAL/pg_dump}) in a directory of its own, for failure tests. */
public final class FakePgDump {
    private FakePgDump() {
    }

    public static PgTools in(Path dir, PgTools real, String script) throws IOException {
        Path bin = Files.createDirectories(dir);
        Path pgDump = bin.resolve("pg_dump");
        Files.writeString(pgDump, "#!/bin/bash\nREAL=" + real.binDir() + "\n" + script + "\n");
        Files.setPosixFilePermissions(pgDump, PosixFilePermissions.fromString("rwx------"));
        return new PgTools(bin);
    }
}
