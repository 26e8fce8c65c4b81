package io.panoptes.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.panoptes.avro.PipelineState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The meters of one stream ({@code stream} tag) and the figures its status is made of. Frames count
 * as published only when the broker acknowledged them. Thread-safe.
 */
public final class StreamMetrics implements AutoCloseable {

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Counter published;
    private final Counter failed;
    private final Counter droppedRate;
    private final Counter claimChecked;
    private final Counter reconnects;
    private final Timer decode;
    private final Timer encode;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong partition = new AtomicLong(-1);
    private final AtomicLong lastCaptureMillis = new AtomicLong();
    private final AtomicReference<PipelineState> state =
            new AtomicReference<>(PipelineState.UNKNOWN);
    private final AtomicReference<String> reason = new AtomicReference<>();
    private volatile double rateFactor = 1.0;
    private final java.util.concurrent.atomic.AtomicLong unacknowledged =
            new java.util.concurrent.atomic.AtomicLong();
    private volatile String lastSendError;
    private volatile long threadCpuNanos;

    public StreamMetrics(MeterRegistry registry, String streamId) {
        this.registry = registry;
        this.published =
                add(
                        Counter.builder("panoptes.ingest.frames.published")
                                .description("Frames acknowledged by the broker")
                                .tag("stream", streamId)
                                .register(registry));
        this.failed =
                add(
                        Counter.builder("panoptes.ingest.frames.failed")
                                .description("Frames the broker did not acknowledge")
                                .tag("stream", streamId)
                                .register(registry));
        this.droppedRate =
                add(
                        Counter.builder("panoptes.ingest.frames.dropped")
                                .description("Live frames dropped by max fps or lag adaptation")
                                .tag("stream", streamId)
                                .register(registry));
        this.claimChecked =
                add(
                        Counter.builder("panoptes.ingest.frames.claim.checked")
                                .description(
                                        "Frames stored outside Kafka because they exceeded the record limit")
                                .tag("stream", streamId)
                                .register(registry));
        this.reconnects =
                add(
                        Counter.builder("panoptes.ingest.reconnects")
                                .description("Times the source was reopened")
                                .tag("stream", streamId)
                                .register(registry));
        this.decode =
                add(
                        Timer.builder("panoptes.ingest.decode")
                                .description("Time to decode one frame")
                                .tag("stream", streamId)
                                .register(registry));
        this.encode =
                add(
                        Timer.builder("panoptes.ingest.encode")
                                .description("Time to scale and encode one frame")
                                .tag("stream", streamId)
                                .register(registry));
        add(
                Gauge.builder("panoptes.ingest.state", state, s -> s.get().ordinal())
                        .description(
                                "PipelineState ordinal: 1 connecting, 2 running, 3 reconnecting, 5 ended, 6 failed")
                        .tag("stream", streamId)
                        .register(registry));
        add(
                Gauge.builder("panoptes.ingest.rate.factor", this, m -> m.rateFactor)
                        .description(
                                "Fraction of its rate a live source publishes at, after lag adaptation")
                        .tag("stream", streamId)
                        .register(registry));
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    void acknowledged(int partition, long captureMillis) {
        published.increment();
        acknowledged.incrementAndGet();
        this.partition.set(partition);
        lastCaptureMillis.accumulateAndGet(captureMillis, Math::max);
    }

    void failed(String error) {
        failed.increment();
        unacknowledged.incrementAndGet();
        lastSendError = error;
    }

    void drop() {
        droppedRate.increment();
        dropped.incrementAndGet();
    }

    void claimChecked() {
        claimChecked.increment();
    }

    void reconnected() {
        reconnects.increment();
    }

    void decodeTime(long nanos) {
        decode.record(nanos, TimeUnit.NANOSECONDS);
    }

    void encodeTime(long nanos) {
        encode.record(nanos, TimeUnit.NANOSECONDS);
    }

    void state(PipelineState state, String reason) {
        this.state.set(state);
        this.reason.set(reason);
    }

    void rateFactor(double factor) {
        this.rateFactor = factor;
    }

    void threadCpu(long nanos) {
        this.threadCpuNanos = nanos;
    }

    /**
     * CPU time of the stream's thread (decode, pace, encode, send), known once the stream has
     * ended.
     */
    public long threadCpuNanos() {
        return threadCpuNanos;
    }

    /** Mean decode time per frame so far. */
    public double decodeMillisPerFrame() {
        return decode.mean(TimeUnit.MILLISECONDS);
    }

    /** Mean scale-and-encode time per frame so far. */
    public double encodeMillisPerFrame() {
        return encode.mean(TimeUnit.MILLISECONDS);
    }

    public long acknowledged() {
        return acknowledged.get();
    }

    public long droppedCount() {
        return dropped.get();
    }

    /** Partition the stream's frames go to, or -1 before the first acknowledgement. */
    public int partition() {
        return (int) partition.get();
    }

    public PipelineState state() {
        return state.get();
    }

    /**
     * Frames Kafka did not acknowledge (after the producer's retries), and the last error; 0 and
     * null when none.
     */
    public long unacknowledged() {
        return unacknowledged.get();
    }

    public String lastSendError() {
        return lastSendError;
    }

    /** Why the stream is reconnecting or failed; null otherwise. */
    public String reason() {
        return reason.get();
    }

    public double rateFactor() {
        return rateFactor;
    }

    public long lastCaptureMillis() {
        return lastCaptureMillis.get();
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
