package com.taskmaster.backup.repository;

import java.io.InputStream;
import java.util.Optional;

/**
 * A readable repository that passes every operation to another one, and implements no wider type: as it is, the
 * read-only view {@link Repositories#readOnly} hands out; extended, a view that changes a read (verify's
 * WatchedRepository notes read failures).
 */
public class ForwardingReadableRepository implements ReadableRepository {
    private final ReadableRepository delegate;

    public ForwardingReadableRepository(ReadableRepository delegate) {
        this.delegate = delegate;
    }

    @Override
    public String uri() {
        return delegate.uri();
    }

    @Override
    public String uriOf(ObjectKey key) {
        return delegate.uriOf(key);
    }

    @Override
    public InputStream open(ObjectKey key) {
        return delegate.open(key);
    }

    @Override
    public byte[] read(ObjectKey key) {
        return delegate.read(key);
    }

    @Override
    public Optional<ObjectInfo> stat(ObjectKey key) {
        return delegate.stat(key);
    }

    @Override
    public ObjectListing scan(String prefix) {
        return delegate.scan(prefix);
    }
}
