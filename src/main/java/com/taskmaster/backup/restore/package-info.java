/**
 * The restore command (the real recovery, manual only): choose a backup by id or by time, refuse a non-empty target
 * unless it is confirmed by name, then stream it into the target with the shared recovery step
 * {@link com.taskmaster.backup.format.DatabaseRestore} (one pg_restore transaction, every table's row count proven
 * equal to the manifest's). A confirmed target is replaced by {@link com.taskmaster.backup.restore.ReplaceBySwap}: restored
 * into a new database beside it, proven, then swapped in by renaming, the replaced one kept.
 */
package com.taskmaster.backup.restore;
