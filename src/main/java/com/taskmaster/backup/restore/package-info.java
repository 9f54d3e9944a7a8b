/**
 * The restore command (the real recovery, manual only): choose a backup by id or by time, refuse a non-empty target
 * unless it is confirmed by name, then stream it into the target with the shared recovery step
 * {@link com.taskmaster.backup.format.DatabaseRestore} (one pg_restore transaction, every table's row count proven
 * equal to the manifest's).
 */
package com.taskmaster.backup.restore;
