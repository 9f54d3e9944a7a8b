package com.taskmaster.backup.repository;

/** An append-only repository that passes every operation to another one, and implements no wider type. */
public class ForwardingAppendOnlyRepository extends ForwardingReadableRepository implements AppendOnlyRepository {
    private final AppendOnlyRepository delegate;

    public ForwardingAppendOnlyRepository(AppendOnlyRepository delegate) {
        super(delegate);
        this.delegate = delegate;
    }

    @Override
    public ObjectWriter create(ObjectKey key) {
        return delegate.create(key);
    }

    @Override
    public void putIfAbsent(ObjectKey key, byte[] content) {
        delegate.putIfAbsent(key, content);
    }
}
