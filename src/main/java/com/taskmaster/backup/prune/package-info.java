/**
 * Retention: deciding which backups to keep ({@link com.taskmaster.backup.prune.RetentionPolicy#plan}, a pure
 * function returning a {@link com.taskmaster.backup.prune.PrunePlan}), then acting on the plan
 * ({@link com.taskmaster.backup.prune.PruneService}): manifest first, then data, with an audit record per run.
 * Deleting is the one operation here that can destroy data, so the plan carries interlocks that stop a run
 * before it deletes anything.
 */
package com.taskmaster.backup.prune;
