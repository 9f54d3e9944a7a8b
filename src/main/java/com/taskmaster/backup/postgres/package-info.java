/**
 * Talking to PostgreSQL: credentials (URL or Secrets Manager), the snapshot session that pins what a
 * backup contains and fingerprints its tables, and the stock pg_dump/pg_restore processes.
 */
package com.taskmaster.backup.postgres;
