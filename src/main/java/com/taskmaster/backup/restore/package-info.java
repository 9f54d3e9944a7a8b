/**
 * Reading backups back: the reverse pipeline repository → SHA-256 check → decrypt → decompress → pg_dump archive
 * ({@link com.taskmaster.backup.format.BackupReader}), and the real recovery: that archive streamed into stock
 * pg_restore on a target database, proven by comparing every table's row count with the manifest
 * ({@link com.taskmaster.backup.restore.RestoreService}).
 */
package com.taskmaster.backup.restore;
