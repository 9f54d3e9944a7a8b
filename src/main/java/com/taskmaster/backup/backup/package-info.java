/**
 * The backup command: the request (manual or scheduled) and the service that runs the pipeline
 * pg_dump → zstd → Encryption SDK → SHA-256 → repository and commits the backup by writing its manifest last.
 * A backup exists when, and only when, its manifest exists.
 */
package com.taskmaster.backup.backup;
