package com.taskmaster.backup.testing;

import com.taskmaster.backup.repository.LockState;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ObjectWriter;
import com.taskmaster.backup.repository.PendingWrite;
import com.taskmaster.backup.repository.Repository;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * A real repository with one operation overridden to inject a fault (a lost response, a failing write): everything
 * else goes to the wrapped repository unchanged. For failure tests only; never a stand-in for a repository.
 */
public class DelegatingRepository implements Repository {
    protected final Repository inner;

    public DelegatingRepository(Repository inner) {
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
