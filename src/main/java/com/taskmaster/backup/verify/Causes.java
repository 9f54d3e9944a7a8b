package com.taskmaster.backup.verify;

import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.RepositoryException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Tells an infrastructure error (the check could not be completed; the backup may be fine) from a finding about the
 * backup, by the exception's causes and suppressed exceptions (the Encryption SDK collects what KMS answered for each
 * wrapped data key as suppressed exceptions of its "Unable to decrypt any data keys").
 *
 * <p>Infrastructure: an AWS SDK exception (an S3 or KMS service error such as SlowDown, throttling, AccessDenied, a
 * disabled or unavailable key; a client error such as a network failure or a timeout) or a repository error other than
 * a missing object. Except KMS's own verdicts on the ciphertext it was given ({@code InvalidCiphertextException},
 * {@code IncorrectKeyException}): the stored wrapped data key is damaged or not the one the header names. Everything
 * else (an authentication tag, the encryption context, the stored object's size or SHA-256, zstd's format or checksum)
 * is about the backup. When both kinds are found, infrastructure wins: the failed call may have been the one that
 * would have succeeded.
 */
final class Causes {
    private Causes() {
    }

    static boolean infrastructure(Throwable e) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>();
        todo.push(e);
        while (!todo.isEmpty()) {
            Throwable t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            if (t instanceof ArchiveCheck.Failed f && f.infrastructure()
                    || t instanceof SdkException && !(t instanceof InvalidCiphertextException || t instanceof IncorrectKeyException)
                    || t instanceof RepositoryException && !(t instanceof NoSuchObjectException)) {
                return true;
            }
            if (t.getCause() != null) {
                todo.push(t.getCause());
            }
            for (Throwable s : t.getSuppressed()) {
                todo.push(s);
            }
        }
        return false;
    }
}
