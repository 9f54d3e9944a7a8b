package com.taskmaster.backup.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies a backup's plain archive into pg_restore's stdin, and meanwhile into a second reader (pg_restore --list,
 * which stops after the table of contents) for as long as that one reads.
 *
 * <p>The last chunk is held back until the input has ended cleanly: {@link BackupReader} reports a bad checksum
 * or a failed final frame only at the end, and pg_restore cannot complete (so its single transaction cannot commit)
 * without the archive's last bytes. A backup that fails its checks therefore never commits a partial restore.
 */
final class ArchiveFeed {
    private static final int CHUNK = 256 * 1024;

    private ArchiveFeed() {
    }

    /** What went wrong while feeding: reading the backup (its integrity) or writing to pg_restore (it stopped). */
    record Outcome(IOException readFailure, IOException writeFailure) {
        boolean ok() {
            return readFailure == null && writeFailure == null;
        }
    }

    static Outcome run(InputStream plain, OutputStream restore, OutputStream list) {
        byte[] pending = new byte[CHUNK];
        byte[] current = new byte[CHUNK];
        int pendingLength = 0;
        OutputStream secondary = list;
        try (plain) {
            while (true) {
                int n;
                try {
                    n = plain.readNBytes(current, 0, CHUNK);
                } catch (IOException e) {
                    return new Outcome(e, null);
                }
                if (n == 0) { // end of input, all checks passed: release the last chunk
                    restore.write(pending, 0, pendingLength);
                    return new Outcome(null, null);
                }
                restore.write(pending, 0, pendingLength);
                if (secondary != null) {
                    try {
                        secondary.write(current, 0, n);
                    } catch (IOException listDone) {
                        closeQuietly(secondary); // pg_restore --list has read the table of contents and exited
                        secondary = null;
                    }
                }
                byte[] swap = pending;
                pending = current;
                current = swap;
                pendingLength = n;
            }
        } catch (IOException e) {
            return new Outcome(null, e);
        } finally {
            if (secondary != null) {
                closeQuietly(secondary);
            }
        }
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException ignored) {
            // the reader is gone
        }
    }
}
