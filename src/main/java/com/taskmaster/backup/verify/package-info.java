/**
 * Proving backups restorable without a database: each backup is streamed back through
 * {@link com.taskmaster.backup.format.BackupReader} (checksum, encryption context, frames, zstd) into stock
 * {@code pg_restore}, whose script output is scanned for every table's data and row count; replica, freshness
 * and size checks come on top. Every verification is recorded under {@code verifications/}, never overwritten,
 * so that prune and restore-test can prefer verified backups.
 */
package com.taskmaster.backup.verify;
