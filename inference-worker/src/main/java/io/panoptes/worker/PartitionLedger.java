package io.panoptes.worker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The commit order of the records a worker has taken: per owned partition, the offsets in the order
 * they were read, each filled with its output (a result or a dead letter) when that is ready, in
 * any order. What may be committed is each partition's contiguous completed prefix: its outputs, in
 * offset order, and the offset after the last of them. Forgetting a partition (revoked or lost)
 * drops its uncommitted work, and outputs that arrive for it later are ignored.
 *
 * <p>Slots are filled from any thread; everything else is called by the poll thread only.
 *
 * @param <O> what a record produces
 */
final class PartitionLedger<O> {

    /** One record's place in its partition's commit order. */
    static final class Slot<O> {
        private final long offset;
        private volatile O output;

        private Slot(long offset) {
            this.offset = offset;
        }

        /** Sets the record's output; it may then be committed, once every record before it is. */
        void complete(O output) {
            this.output = output;
        }

        long offset() {
            return offset;
        }
    }

    /**
     * A completed prefix: the outputs in commit order, and for each partition the offset to commit.
     */
    record Completed<O>(List<O> outputs, Map<TopicPartition, Long> nextOffsets) {
        boolean isEmpty() {
            return nextOffsets.isEmpty();
        }
    }

    private final Map<TopicPartition, Deque<Slot<O>>> partitions = new HashMap<>();

    /**
     * Starts keeping the order of {@code assigned} partitions (a partition already kept is reset).
     */
    void assign(Collection<TopicPartition> assigned) {
        assigned.forEach(p -> partitions.put(p, new ArrayDeque<>()));
    }

    /** Drops the uncommitted work of {@code gone} partitions. */
    void forget(Collection<TopicPartition> gone) {
        gone.forEach(partitions::remove);
    }

    /**
     * Drops the uncommitted work of every partition, keeping them (after a rewind to the committed
     * offsets).
     */
    void reset() {
        partitions.replaceAll((p, slots) -> new ArrayDeque<>());
    }

    /**
     * A slot for the record at {@code offset} of {@code partition}, after those already taken; null
     * when the partition is not owned (revoked while the record sat in the fetch buffer).
     */
    Slot<O> add(TopicPartition partition, long offset) {
        Deque<Slot<O>> slots = partitions.get(partition);
        if (slots == null) {
            return null;
        }
        if (!slots.isEmpty() && slots.peekLast().offset >= offset) {
            throw new IllegalArgumentException(
                    partition + ": offset " + offset + " taken after " + slots.peekLast().offset);
        }
        Slot<O> slot = new Slot<>(offset);
        slots.addLast(slot);
        return slot;
    }

    /** Takes each partition's contiguous completed prefix out of the ledger. */
    Completed<O> takeCompleted() {
        List<O> outputs = new ArrayList<>();
        Map<TopicPartition, Long> next = new LinkedHashMap<>();
        partitions.forEach(
                (partition, slots) -> {
                    while (!slots.isEmpty() && slots.peekFirst().output != null) {
                        Slot<O> slot = slots.pollFirst();
                        outputs.add(slot.output);
                        next.put(partition, slot.offset + 1);
                    }
                });
        return new Completed<>(outputs, next);
    }

    /** The partitions kept now. */
    Set<TopicPartition> owned() {
        return Set.copyOf(partitions.keySet());
    }

    /** Records taken and not yet committed, over every partition. */
    int pending() {
        return partitions.values().stream().mapToInt(Deque::size).sum();
    }
}
