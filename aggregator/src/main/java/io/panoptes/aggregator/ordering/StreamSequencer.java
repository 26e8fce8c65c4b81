package io.panoptes.aggregator.ordering;

import io.panoptes.avro.Detections;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Restores the order of one stream's results and drops duplicates by (epoch, seq). Results may
 * arrive out of order (batching across streams) or twice (at-least-once workers); a result ahead of
 * the next expected seq waits in a buffer of at most {@code bufferLimit} results, after which the
 * missing one is given up (a gap). A higher epoch (an ingest restart, a moved pipeline) first
 * releases what is buffered, then starts again at seq 0; nothing of either epoch is dropped. Every
 * released result gets a frame index that only grows, across epochs, with gaps where seqs are
 * missing, which is what the tracker ages tracks by. Not thread-safe: one per stream.
 */
public final class StreamSequencer {

    /** A result released in order, with its place on the stream's frame clock. */
    public record Sequenced(Detections result, long frameIndex) {}

    private final int bufferLimit;
    private final TreeMap<Long, Detections> pending = new TreeMap<>();
    private long epoch = Long.MIN_VALUE;
    private long nextSeq;
    private long epochBase;
    private long lastIndex = -1;
    private long duplicates;
    private long gaps;

    /**
     * What a sequencer remembers, so that it can live in a state store.
     *
     * @param epoch the stream's current epoch ({@code Long.MIN_VALUE} before the first result)
     * @param pending results waiting for a missing seq, in seq order
     */
    public record State(
            long epoch,
            long nextSeq,
            long epochBase,
            long lastIndex,
            long duplicates,
            long gaps,
            List<Detections> pending) {

        public State {
            pending = List.copyOf(pending);
        }
    }

    public StreamSequencer(int bufferLimit) {
        if (bufferLimit < 1) {
            throw new IllegalArgumentException(
                    "reorder buffer must hold at least 1 result, got " + bufferLimit);
        }
        this.bufferLimit = bufferLimit;
    }

    /** A sequencer that continues from {@code state}. */
    public static StreamSequencer restore(int bufferLimit, State state) {
        StreamSequencer sequencer = new StreamSequencer(bufferLimit);
        sequencer.epoch = state.epoch();
        sequencer.nextSeq = state.nextSeq();
        sequencer.epochBase = state.epochBase();
        sequencer.lastIndex = state.lastIndex();
        sequencer.duplicates = state.duplicates();
        sequencer.gaps = state.gaps();
        state.pending().forEach(result -> sequencer.pending.put(result.getSeq(), result));
        return sequencer;
    }

    public State state() {
        return new State(
                epoch,
                nextSeq,
                epochBase,
                lastIndex,
                duplicates,
                gaps,
                new ArrayList<>(pending.values()));
    }

    /**
     * Accepts one result; returns those now released, in order (possibly none, possibly several).
     */
    public List<Sequenced> accept(Detections result) {
        List<Sequenced> released = new ArrayList<>();
        if (epoch == Long.MIN_VALUE) {
            startEpoch(
                    result.getEpoch(),
                    result.getSeq()); // joined mid-stream: start where the stream is
        } else if (result.getEpoch() > epoch) {
            releaseAll(released);
            startEpoch(result.getEpoch(), 0);
        } else if (result.getEpoch() < epoch) {
            duplicates++; // a result of an earlier session arriving late: already superseded
            return released;
        }
        long seq = result.getSeq();
        if (seq < nextSeq || pending.containsKey(seq)) {
            duplicates++;
            return released;
        }
        pending.put(seq, result);
        releaseInOrder(released);
        while (pending.size() > bufferLimit) {
            gaps += pending.firstKey() - nextSeq;
            nextSeq = pending.firstKey();
            releaseInOrder(released);
        }
        return released;
    }

    /** Releases everything buffered, in order, accepting the gaps (end of stream, idle stream). */
    public List<Sequenced> flush() {
        List<Sequenced> released = new ArrayList<>();
        releaseAll(released);
        return released;
    }

    public long duplicates() {
        return duplicates;
    }

    /** Seqs given up on because later results filled the buffer. */
    public long gaps() {
        return gaps;
    }

    public int buffered() {
        return pending.size();
    }

    private void startEpoch(long newEpoch, long firstSeq) {
        epoch = newEpoch;
        nextSeq = firstSeq;
        epochBase = lastIndex + 1 - firstSeq;
    }

    private void releaseInOrder(List<Sequenced> released) {
        while (!pending.isEmpty() && pending.firstKey() == nextSeq) {
            release(pending.pollFirstEntry(), released);
        }
    }

    private void releaseAll(List<Sequenced> released) {
        while (!pending.isEmpty()) {
            Map.Entry<Long, Detections> first = pending.firstEntry();
            gaps += first.getKey() - nextSeq;
            release(pending.pollFirstEntry(), released);
        }
    }

    private void release(Map.Entry<Long, Detections> entry, List<Sequenced> released) {
        long seq = entry.getKey();
        lastIndex = epochBase + seq;
        nextSeq = seq + 1;
        released.add(new Sequenced(entry.getValue(), lastIndex));
    }
}
