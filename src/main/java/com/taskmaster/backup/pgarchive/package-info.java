/**
 * Fingerprints of a database's content, taken from pg_dump's custom-format archive as it streams past
 * (no second scan of production) and recomputed on a restored database, so that a restore is proven equal
 * row for row, not just count for count.
 *
 * <ul>
 *   <li>{@link com.taskmaster.backup.pgarchive.ArchiveReader}: a streaming reader of the custom format
 *       (header, table of contents, data blocks), no seeking, memory independent of the data's size;</li>
 *   <li>{@link com.taskmaster.backup.pgarchive.ArchiveFingerprinter} and its tee
 *       {@link com.taskmaster.backup.pgarchive.FingerprintSink}: per table its exact row count and an
 *       order-independent digest of its rows in COPY text form, per large object the same, per sequence its
 *       values;</li>
 *   <li>{@link com.taskmaster.backup.pgarchive.DatabaseFingerprinter}: the same digests from a restored
 *       database ({@code COPY ... TO STDOUT} with the archive's column lists and the recorded session settings);</li>
 *   <li>{@link com.taskmaster.backup.pgarchive.FingerprintComparison}: which tables differ, and how.</li>
 * </ul>
 *
 * The digest is defined in docs/FINGERPRINTS.md (HMAC-SHA-256 of each row under a per-backup key, summed
 * modulo 2^256), with a reference script, docs/fingerprint.py.
 */
package com.taskmaster.backup.pgarchive;
