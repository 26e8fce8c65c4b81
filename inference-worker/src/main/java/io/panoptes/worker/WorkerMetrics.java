package io.panoptes.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.StageTimings;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker's meters: results by status, DLQ and lost frames, stage timings, frame age, queue
 * depth, lag per partition.
 */
final class WorkerMetrics {

    private final MeterRegistry registry;
    private final Map<DetectionStatus, Counter> results = new EnumMap<>(DetectionStatus.class);
    private final Counter deadLetters;
    private final Counter lost;
    private final Timer preprocess;
    private final Timer infer;
    private final Timer postprocess;
    private final DistributionSummary frameAge;
    private final DistributionSummary batchSize;
    private final AtomicInteger largestBatch = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, AtomicLong> lag = new ConcurrentHashMap<>();
    private final AtomicLong committed = new AtomicLong();

    WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (DetectionStatus status : DetectionStatus.values()) {
            results.put(
                    status,
                    Counter.builder("panoptes.worker.results")
                            .tag("status", status.name())
                            .description("Results committed, by status")
                            .register(registry));
        }
        deadLetters =
                Counter.builder("panoptes.worker.dead.letters")
                        .description("Records sent to the DLQ")
                        .register(registry);
        lost =
                Counter.builder("panoptes.worker.frames.lost")
                        .description("Frames deleted by retention before a worker read them")
                        .register(registry);
        preprocess =
                Timer.builder("panoptes.worker.preprocess")
                        .description("Decode and preprocess per frame")
                        .register(registry);
        infer =
                Timer.builder("panoptes.worker.infer")
                        .description("Model run per frame")
                        .register(registry);
        postprocess =
                Timer.builder("panoptes.worker.postprocess")
                        .description("Decode outputs and NMS per frame")
                        .register(registry);
        frameAge =
                DistributionSummary.builder("panoptes.worker.frame.age")
                        .baseUnit("milliseconds")
                        .description("Result time minus capture time, of frames actually processed")
                        .publishPercentiles(0.5, 0.95, 0.99)
                        .register(registry);
        batchSize =
                DistributionSummary.builder("panoptes.worker.batch.size")
                        .baseUnit("frames")
                        .description(
                                "Frames an inference thread took at once (run in one session.run per model when it has a dynamic batch)")
                        .register(registry);
        Gauge.builder("panoptes.worker.in.flight", inFlight, AtomicInteger::get)
                .description("Frames queued or running")
                .register(registry);
    }

    void batch(int frames) {
        batchSize.record(frames);
        largestBatch.accumulateAndGet(frames, Math::max);
    }

    int largestBatch() {
        return largestBatch.get();
    }

    void result(DetectionStatus status, StageTimings timings, long ageMillis) {
        results.get(status).increment();
        committed.incrementAndGet();
        if (status == DetectionStatus.OK) {
            preprocess.record((long) (timings.getPreprocessMs() * 1e6), TimeUnit.NANOSECONDS);
            infer.record((long) (timings.getInferMs() * 1e6), TimeUnit.NANOSECONDS);
            postprocess.record((long) (timings.getPostprocessMs() * 1e6), TimeUnit.NANOSECONDS);
        }
        if (status == DetectionStatus.OK || status == DetectionStatus.FAILED) {
            frameAge.record(
                    Math.max(
                            0,
                            ageMillis)); // skipped frames are old by definition: counted, not aged
        }
    }

    void deadLetter() {
        deadLetters.increment();
        committed.incrementAndGet();
    }

    void lost(long frames) {
        lost.increment(frames);
    }

    AtomicInteger inFlight() {
        return inFlight;
    }

    void lag(String partition, long value) {
        lag.computeIfAbsent(
                        partition,
                        p -> {
                            AtomicLong holder = new AtomicLong();
                            Gauge.builder("panoptes.worker.lag", holder, AtomicLong::get)
                                    .tag("partition", p)
                                    .description("End offset minus position on a frames partition")
                                    .register(registry);
                            return holder;
                        })
                .set(value);
    }

    /** Results and dead letters committed so far. */
    long committed() {
        return committed.get();
    }

    long count(DetectionStatus status) {
        return (long) results.get(status).count();
    }

    long lostFrames() {
        return (long) lost.count();
    }

    Duration p95FrameAge() {
        return Duration.ofMillis((long) frameAge.takeSnapshot().percentileValues()[1].value());
    }

    Duration p50FrameAge() {
        return Duration.ofMillis((long) frameAge.takeSnapshot().percentileValues()[0].value());
    }
}
