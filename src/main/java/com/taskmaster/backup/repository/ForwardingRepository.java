package com.taskmaster.backup.repository;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * A repository that passes every operation to another one: the base of a view that changes a few of them (verify's
 * WatchedRepository notes read failures; tests inject one fault, such as a lost response, into a real repository).
 */
public class ForwardingRepository implements Repository {
    protected final Repository inner;

    public ForwardingRepository(Repository inner) {
        this.inner = inner;
    }

    @Override
    public String uri() {
        return inner.uri();
    }

    @Override
    public String uriOf(ObjectKey key) {
        return inner.uriOf(key);
    }

    @Override
    public ObjectWriter create(ObjectKey key) {
        return inner.create(key);
    }

    @Override
    public void putIfAbsent(ObjectKey key, byte[] content) {
        inner.putIfAbsent(key, content);
    }

    @Override
    public InputStream open(ObjectKey key) {
        return inner.open(key);
    }

    @Override
    public Optional<ObjectInfo> stat(ObjectKey key) {
        return inner.stat(key);
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        return inner.list(prefix);
    }

    @Override
    public void delete(ObjectKey key) {
        inner.delete(key);
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
