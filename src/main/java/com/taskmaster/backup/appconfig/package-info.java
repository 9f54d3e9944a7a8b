/**
 * Application configuration backups (issue 15; docs/HANDLERS.md, FORMAT.md section 10): the TaskMaster API's Parameter
 * Store parameters, Secrets Manager secrets and Lambda function environments. One command family, apart from the
 * database's: config-backup ({@link com.taskmaster.backup.appconfig.ConfigBackupService}: snapshot, duplicate skip,
 * drift by name), config-restore (dry run, then writing a snapshot back) and config-export (the non-secret part, for
 * version control). {@link com.taskmaster.backup.appconfig.LiveConfig} is the adapter to the AWS services;
 * {@link com.taskmaster.backup.appconfig.ConfigStore} writes and reads snapshots through the {@code format} core
 * (same pipeline, same key, its own tree {@code config/}). No value ever leaves in a result, alert or log: results
 * name keys only, and every secret value read is registered with the Redactor.
 */
package com.taskmaster.backup.appconfig;
