/**
 * The shared core of the backup format, on which every command stands (docs/FORMAT.md describes it for people):
 * backup ids and triggers, the manifest (the commit point), where every object lives in a repository
 * ({@link com.taskmaster.backup.format.Layout}), the catalog of complete backups (read from manifests and nothing
 * else), the verification records, and the read pipeline ({@link com.taskmaster.backup.format.BackupReader}).
 * Commands import this package and the adapters (repository, crypto, postgres, alert, support, config), never
 * each other.
 */
package com.taskmaster.backup.format;
