package com.taskmaster.backup.repository;

import java.util.List;

/**
 * A repository that passes every operation to another one: the base of a view that changes a few of them (tests
 * inject one fault, such as a lost response, into a real repository).
 */
public class ForwardingRepository extends ForwardingAppendOnlyRepository implements Repository {
    protected final Repository inner;

    public ForwardingRepository(Repository inner) {
        super(inner);
        this.inner = inner;
    }

    @Override
    public void delete(ObjectKey key) {
        inner.delete(key);
    }

    @Override
    public void replace(ObjectKey key, byte[] content) {
        inner.replace(key, content);
    }

    @Override
    public LockState lockState(ObjectKey key) {
        return inner.lockState(key);
    }

    @Override
    public List<PendingWrite> pendingWrites() {
        return inner.pendingWrites();
    }

    @Override
    public void discard(PendingWrite write) {
        inner.discard(write);
    }
}
