/**
 * The shared core of the backup format, on which every command stands (docs/FORMAT.md describes it for people):
 * backup ids and triggers, the manifest (the commit point), where every object lives in a repository
 * ({@link com.taskmaster.backup.format.Layout}), the catalog of complete backups (read from manifests and nothing
 * else), the verification records, the write pipeline ({@link com.taskmaster.backup.format.BackupWriter}: zstd,
 * encryption, digest) and the read pipeline ({@link com.taskmaster.backup.format.BackupReader}: digest, decryption,
 * zstd, every check), which share one {@link com.taskmaster.backup.format.StreamDigest}.
 *
 * <p>It also holds the one recovery step every command that restores shares (restore, restore-test, and any later
 * drill, e.g. from the secondary region): {@link com.taskmaster.backup.format.DatabaseRestore} streams a backup
 * through the read pipeline into one {@code pg_restore} transaction, bounded by the deadline, and proves every
 * table's row count against the manifest. It lives here rather than in a command so that no command imports
 * another, and rather than in {@code postgres} because it is about backups (that adapter gives it the processes
 * and the target database's queries). {@link com.taskmaster.backup.format.ScratchRestore} (with
 * {@link com.taskmaster.backup.format.ScratchDatabases} and {@link com.taskmaster.backup.format.SmokeQueries}) is the
 * proof restore-test and dr-drill share: a marked scratch database on a separate server, the restore, the smoke
 * queries, the drop, the restore time against the RTO.
 *
 * <p>Commands import this package and the adapters (repository, crypto, postgres, alert, support, config), never
 * each other.
 */
package com.taskmaster.backup.format;
