/**
 * The quarterly disaster-recovery drill ({@code dr-drill}, deployed in the secondary region by infra/secondary.yaml):
 * the newest backup that S3 replication copied into the replica repository is decrypted with the replica key only
 * (the multi-Region key's replica in the drill's region: no call to the primary region), restored into a scratch
 * database on a restore-test server reachable from the secondary region and proven as restore-test proves its restores
 * ({@link com.taskmaster.backup.format.ScratchRestore}), and the achieved RPO (age of that backup, replication lag
 * included) and RTO (restore time) are measured against the objectives. The report goes to {@code reports/dr-drill/}
 * in the replica repository; a failure or a missed objective fails the run (the handler alerts).
 */
package com.taskmaster.backup.drdrill;
