package io.panoptes.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands work to the inference threads in batches: a taker blocks for the first item, then takes
 * what else is queued, waiting at most {@code maxWait} after the first for the batch to fill. With
 * a zero wait a batch is just what piled up while the threads were busy, so batching adds no
 * latency to a lightly loaded worker. Unbounded: the worker bounds what is in flight.
 */
final class BatchQueue<T> {

    private final LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
    private final int maxBatch;
    private final long maxWaitNanos;

    BatchQueue(int maxBatch, Duration maxWait) {
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
    }

    void add(T item) {
        queue.add(item);
    }

    /** The next batch of 1 to maxBatch items, in arrival order. */
    List<T> take() throws InterruptedException {
        List<T> batch = new ArrayList<>(maxBatch);
        batch.add(queue.take());
        long deadline = System.nanoTime() + maxWaitNanos;
        while (batch.size() < maxBatch) {
            queue.drainTo(batch, maxBatch - batch.size());
            long left = deadline - System.nanoTime();
            if (batch.size() >= maxBatch || left <= 0) {
                break;
            }
            T next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
        }
        return batch;
    }
}
