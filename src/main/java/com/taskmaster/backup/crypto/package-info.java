/**
 * Envelope encryption of backups with the AWS Encryption SDK message format.
 *
 * <p>How keys flow: for every backup the SDK asks the wrapping key (a KMS key, or for local runs a
 * 256-bit key file) for a fresh 256-bit data key, bound to an encryption context that names the
 * database and the backup id. The data key encrypts the stream in 64 KiB frames with AES-256-GCM
 * (algorithm suite {@code ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY}: key commitment, no signature), and
 * travels encrypted in the message header. Decryption asks the wrapping key to unwrap it, then
 * checks the context against the manifest. Each frame is authenticated with its sequence number and
 * the last frame is marked, so flipped bits, reordering and truncation are all detected.
 *
 * <p>The KMS key is opened with the SDK's multi-Region-aware provider in strict mode ({@link Keys#openKms}): a data
 * key wrapped under the primary region's multi-Region key ({@code mrk-...}) is unwrapped in the secondary region by
 * its replica (BACKUP_KMS_KEY = the replica's ARN), with KMS called there only. Any other key, and for single-Region
 * keys anything but the key itself, is refused before KMS is asked.
 * docs/FORMAT.md describes the format for decryption without this software.
 */
package com.taskmaster.backup.crypto;
