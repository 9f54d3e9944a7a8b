package com.taskmaster.backup.pgarchive;

import java.io.IOException;

/**
 * The bytes are not a pg_dump custom-format archive this reader can fingerprint: not an archive at all,
 * compressed, of an unknown version, or damaged. The message says which, and at which byte offset.
 */
public class ArchiveFormatException extends IOException {
    public ArchiveFormatException(String message) {
        super(message);
    }
}
