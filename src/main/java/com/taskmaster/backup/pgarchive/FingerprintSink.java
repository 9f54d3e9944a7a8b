package com.taskmaster.backup.pgarchive;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A tee for the backup pipeline: write pg_dump's archive bytes into it as they flow, {@link #close()} at the
 * end, then take the {@link #result()}. The bytes are parsed and hashed on a thread of their own (so the
 * digests use the spare core while the pipeline compresses and encrypts), through a bounded queue: at most
 * {@value #QUEUE_CHUNKS} chunks of at most {@value #CHUNK} bytes are held, whatever the archive's size.
 *
 * <p>A write blocks while the queue is full, so a slow digest slows the pipeline rather than growing memory.
 * If the archive cannot be parsed (compressed, damaged), the next write or close fails with the reason: a
 * backup whose fingerprints cannot be taken should not be committed. {@link #abort()} ends the thread when the
 * pipeline itself fails.
 */
public final class FingerprintSink extends OutputStream {
    static final int CHUNK = 64 * 1024;
    static final int QUEUE_CHUNKS = 32;
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
    private final Thread thread;
    private volatile Throwable failure;
    private volatile ArchiveFingerprinter.Result result;
    private boolean closed;
    private final byte[] pending = new byte[CHUNK];
    private int filled;

    private FingerprintSink(FingerprintKey key, SessionSettings session, String name) {
        thread = new Thread(() -> run(key, session), name);
        thread.setDaemon(true);
    }

    /** Starts the fingerprinting thread; {@code name} names it (e.g. after the backup id). */
    public static FingerprintSink start(FingerprintKey key, SessionSettings session, String name) {
        FingerprintSink sink = new FingerprintSink(key, session, name);
        sink.thread.start();
        return sink;
    }

    private void run(FingerprintKey key, SessionSettings session) {
        QueueInput in = new QueueInput();
        try {
            result = ArchiveFingerprinter.fingerprint(in, key, session);
        } catch (Throwable e) { // anything: the writer must learn of it instead of blocking on a full queue
            failure = e;
            in.drain();
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("fingerprint sink already closed");
        }
        checkFailure();
        int done = 0;
        while (done < len) {
            int n = Math.min(CHUNK - filled, len - done);
            System.arraycopy(b, off + done, pending, filled, n);
            filled += n;
            done += n;
            if (filled == CHUNK) {
                flushPending();
            }
        }
    }

    /**
     * Hands the collected bytes to the parser thread. Writes are collected into whole chunks first: a pipe
     * delivers pg_dump's output in a few KiB at a time, and one hand-over per read costs more than the parsing.
     */
    private void flushPending() throws IOException {
        if (filled > 0) {
            checkFailure();
            put(java.util.Arrays.copyOf(pending, filled));
            filled = 0;
        }
    }

    /** Ends the input and waits for the digests; fails if the archive could not be fingerprinted. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flushPending();
        } finally {
            put(END);   // always: a parser that failed is draining until it sees the end
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the fingerprints");
        }
        checkFailure();
    }

    /** The fingerprints, once {@link #close()} succeeded. */
    public ArchiveFingerprinter.Result result() throws IOException {
        if (!closed || thread.isAlive()) {
            throw new IllegalStateException("close the sink first");
        }
        checkFailure();
        return result;
    }

    /** For a failed pipeline: stops the thread without waiting for the rest of the archive. */
    public void abort() {
        closed = true;
        thread.interrupt();
    }

    private void put(byte[] chunk) throws IOException {
        try {
            queue.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fingerprinting the archive");
        }
    }

    private void checkFailure() throws IOException {
        Throwable f = failure;
        if (f instanceof ArchiveFormatException e) {
            throw new ArchiveFormatException("cannot fingerprint the archive: " + e.getMessage());
        }
        if (f != null) {
            throw new IOException("cannot fingerprint the archive: " + f, f);
        }
    }

    /** The parser's side of the queue. */
    private final class QueueInput extends InputStream {
        private byte[] chunk = new byte[0];
        private int pos;
        private boolean end;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == chunk.length) {
                if (end) {
                    return -1;
                }
                chunk = take();
                pos = 0;
                if (chunk == END) {
                    end = true;
                }
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        private byte[] take() throws InterruptedIOException {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();   // so that drain() does not wait for a writer that is gone
                throw new InterruptedIOException("fingerprinting aborted");
            }
        }

        /** After a failure: swallow the rest so that the writer never blocks on a full queue. */
        void drain() {
            try {
                while (!end && !Thread.currentThread().isInterrupted()) {
                    end = queue.take() == END;
                }
            } catch (InterruptedException aborted) {
                // abort(): nobody writes any more
            }
        }
    }
}
