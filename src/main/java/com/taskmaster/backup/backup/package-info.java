/**
 * Taking a backup: the request (manual or scheduled), the pipeline
 * pg_dump → zstd → Encryption SDK → SHA-256 → repository, and the manifest that commits it.
 * A backup exists when, and only when, its manifest exists.
 */
package com.taskmaster.backup.backup;
