package com.taskmaster.backup.pgarchive;

import java.util.Objects;

/**
 * What fixes the COPY text the digests are taken over: who wrote it (archive format, server and pg_dump
 * versions), its encoding, and the session settings in force. Recorded with the digests; the restore side
 * reproduces the encoding and settings before copying.
 *
 * @param clientEncoding            pg_dump's client encoding (the archive's ENCODING entry), e.g. "UTF8"
 * @param standardConformingStrings the archive's STDSTRINGS entry ("on"/"off"); does not change COPY text, kept
 *                                  for the record
 */
public record TextForm(String archiveVersion, String serverVersion, String pgDumpVersion, String clientEncoding,
                       String standardConformingStrings, SessionSettings session) {
    public TextForm {
        Objects.requireNonNull(archiveVersion, "archiveVersion");
        Objects.requireNonNull(clientEncoding, "clientEncoding");
        Objects.requireNonNull(session, "session");
    }
}
