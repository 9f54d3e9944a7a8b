package com.taskmaster.backup.repository;

import java.time.Instant;

/**
 * The S3 Object Lock state of one object: its retention (mode {@code GOVERNANCE} or {@code COMPLIANCE}, until
 * {@code retainUntil}) and its legal hold. {@link #NONE} for an object without either, or in a store without
 * Object Lock (files). A delete of a locked object in a versioned bucket only adds a delete marker: the locked
 * bytes stay, but the object vanishes from listings.
 *
 * @param retainUntil when the retention ends, or null (no retention)
 * @param mode        {@code GOVERNANCE} or {@code COMPLIANCE}, or null (no retention)
 * @param legalHold   a legal hold is ON (it has no end date)
 */
public record LockState(Instant retainUntil, String mode, boolean legalHold) {
    public static final LockState NONE = new LockState(null, null, false);

    /** Under a retention that has not ended at {@code now}. */
    public boolean retainedAt(Instant now) {
        return retainUntil != null && retainUntil.isAfter(now);
    }

    /** Locked at {@code now}: a legal hold, or a retention not yet ended. */
    public boolean lockedAt(Instant now) {
        return legalHold || retainedAt(now);
    }

    /** Both locks together (a backup is two objects: it is locked when either is): the later retention, any hold. */
    public LockState and(LockState other) {
        Instant until = retainUntil;
        String m = mode;
        if (other.retainUntil != null && (until == null || other.retainUntil.isAfter(until))) {
            until = other.retainUntil;
            m = other.mode;
        }
        return new LockState(until, m, legalHold || other.legalHold);
    }
}
