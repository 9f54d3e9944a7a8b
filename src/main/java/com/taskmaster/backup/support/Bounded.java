package com.taskmaster.backup.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Applies a function to each item on at most a fixed number of threads and returns the results in the items' order:
 * for many small independent reads (one request each: manifests, verification records) whose latency, not CPU, sets
 * the pace. The first failure (in the items' order) is thrown as it was thrown; the threads end with the call.
 */
public final class Bounded {
    /** Concurrent small reads of one repository: enough to hide S3's per-request latency, few enough for any store. */
    public static final int READS = 16;

    private Bounded() {
    }

    public static <T, R> List<R> map(List<T> items, int threads, Function<? super T, ? extends R> f) {
        List<R> out = new ArrayList<>(items.size());
        if (items.size() < 2 || threads < 2) {
            for (T item : items) {
                out.add(f.apply(item));
            }
            return out;
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, items.size()), r -> {
            Thread t = new Thread(r, "bounded-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>(items.size());
            for (T item : items) {
                futures.add(pool.submit(() -> f.apply(item)));
            }
            for (Future<R> future : futures) {
                out.add(future.get());
            }
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
