/**
 * The monthly proof that backups restore in time: the newest verified backup is restored into a scratch database
 * on a separate server, its fingerprints and smoke queries checked, the time measured against the RTO and
 * extrapolated to the current database size; the scratch database is always dropped; a report goes to
 * {@code reports/restore-test/} in the repository. Decide ({@link com.taskmaster.backup.restoretest.RestoreTestPlan}),
 * then act ({@link com.taskmaster.backup.restoretest.RestoreTestService}).
 */
package com.taskmaster.backup.restoretest;
