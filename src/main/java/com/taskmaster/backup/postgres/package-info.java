/**
 * Talking to PostgreSQL: credentials (URL or Secrets Manager), the snapshot session that pins what a
 * backup contains and fingerprints its tables, the stock pg_dump/pg_restore processes, JDBC work bounded by a
 * deadline ({@link com.taskmaster.backup.postgres.BoundedJdbc}), and what a restore asks of its target database
 * before and after pg_restore ({@link com.taskmaster.backup.postgres.TargetDatabase}). Knows nothing of backups.
 */
package com.taskmaster.backup.postgres;
