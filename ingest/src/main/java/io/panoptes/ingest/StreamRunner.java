package io.panoptes.ingest;

import io.panoptes.avro.Frame;
import io.panoptes.avro.PipelineState;
import io.panoptes.ingest.internal.encode.EncodedImage;
import io.panoptes.ingest.internal.encode.FrameEncoder;
import io.panoptes.ingest.internal.rate.AdaptiveRate;
import io.panoptes.ingest.internal.rate.FrameRateLimit;
import io.panoptes.ingest.internal.rate.PresentationClock;
import io.panoptes.ingest.source.CapturedFrame;
import io.panoptes.ingest.source.FrameSource;
import io.panoptes.ingest.source.SourceException;
import io.panoptes.ingest.source.SourceSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests one source on its own thread: opens it, decodes, paces, encodes and publishes frames,
 * reconnects a lost live source with backoff, and ends a finite source with one end-of-stream
 * frame. Frames carry {@code epoch} (when this runner started) and {@code seq} (from 0, no gaps).
 * Logs one line per state change. Failures stay inside the stream.
 */
final class StreamRunner implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(StreamRunner.class);

    private enum Outcome {
        ENDED,
        LOST,
        STOPPED
    }

    private final SourceSpec spec;
    private final IngestSettings settings;
    private final FramePublisher publisher;
    private final StreamMetrics metrics;
    private final IntFunction<OptionalLong> lagOfPartition;
    private final Function<SourceSpec, FrameSource> sources;
    private final long epoch = System.currentTimeMillis();
    private final AdaptiveRate adaptive;
    private final FrameRateLimit limit;
    private volatile boolean stopping;
    private long seq;
    private long decoded;
    private long lastPtsMicros = -1;
    private long lastCaptureMillis;
    private long lastLagCheckNanos;
    private boolean pausedForLag;
    private String truncationReason;

    StreamRunner(
            SourceSpec spec,
            IngestSettings settings,
            FramePublisher publisher,
            StreamMetrics metrics,
            IntFunction<OptionalLong> lagOfPartition,
            Function<SourceSpec, FrameSource> sources) {
        this.spec = spec;
        this.settings = settings;
        this.publisher = publisher;
        this.metrics = metrics;
        this.lagOfPartition = lagOfPartition;
        this.sources = sources;
        this.adaptive =
                new AdaptiveRate(
                        settings.liveHighLag(),
                        settings.liveLowLag(),
                        settings.liveMinRateFactor(),
                        0.1);
        this.limit = new FrameRateLimit(spec.maxFps().orElse(0.0));
    }

    void stop() {
        stopping = true;
    }

    SourceSpec spec() {
        return spec;
    }

    long epoch() {
        return epoch;
    }

    @Override
    public void run() {
        try (FrameEncoder encoder = new FrameEncoder(settings.encoding())) {
            runSource(encoder);
        } catch (RuntimeException | LinkageError e) {
            // a missing native library or a bug: this stream fails, the others go on
            log.error("stream {}: unexpected failure", spec.streamId(), e);
            state(PipelineState.FAILED, "unexpected failure: " + e);
        } finally {
            metrics.threadCpu(
                    java.lang.management.ManagementFactory.getThreadMXBean()
                            .getCurrentThreadCpuTime());
        }
    }

    private void runSource(FrameEncoder encoder) {
        int attempt = 0;
        String reason = null;
        while (!stopping) {
            state(attempt == 0 ? PipelineState.CONNECTING : PipelineState.RECONNECTING, reason);
            long decodedBefore = decoded;
            Outcome outcome;
            try (FrameSource source = sources.apply(spec)) {
                source.open();
                state(PipelineState.RUNNING, null);
                outcome = pump(source, encoder);
                if (outcome == Outcome.ENDED) {
                    finish(truncation(source));
                    return;
                }
                reason =
                        "lost "
                                + spec.displayUri()
                                + " (no frame within the network timeout, or the server closed it)";
            } catch (SourceException e) {
                reason = e.getMessage();
                if (!spec.isLive() || !e.retriable()) {
                    finish(reason);
                    return;
                }
                outcome = Outcome.LOST;
            }
            if (outcome == Outcome.STOPPED || stopping) {
                return;
            }
            attempt = decoded > decodedBefore ? 1 : attempt + 1;
            if (!settings.reconnect().allows(attempt)) {
                finish(
                        "gave up after "
                                + settings.reconnect().maxAttempts()
                                + " attempt(s): "
                                + reason);
                return;
            }
            metrics.reconnected();
            state(PipelineState.RECONNECTING, reason);
            sleep(settings.reconnect().delay(attempt));
        }
    }

    private Outcome pump(FrameSource source, FrameEncoder encoder) {
        PresentationClock clock = new PresentationClock(source.frameRate());
        long startNanos = System.nanoTime();
        long startMillis = System.currentTimeMillis();
        while (!stopping) {
            long t0 = System.nanoTime();
            CapturedFrame frame =
                    spec.isLive() && !spec.realtime() ? source.next() : nextOrThrowAsEnd(source);
            if (frame == null) {
                return spec.isLive() && !spec.realtime() ? Outcome.LOST : Outcome.ENDED;
            }
            metrics.decodeTime(System.nanoTime() - t0);
            decoded++;
            lastPtsMicros = Math.max(lastPtsMicros, frame.ptsMicros());
            Instant captureTime = pace(frame, clock, source.frameRate(), startNanos, startMillis);
            if (captureTime != null) {
                publish(frame, encoder, captureTime);
            }
        }
        return Outcome.STOPPED;
    }

    /** For files, a decode error ends the stream like a cut; the error becomes the end's reason. */
    private CapturedFrame nextOrThrowAsEnd(FrameSource source) {
        try {
            return source.next();
        } catch (SourceException e) {
            truncationReason = e.getMessage();
            return null;
        }
    }

    /**
     * Waits or drops as the source's kind asks; returns the frame's capture time, or null when it
     * is dropped.
     */
    private Instant pace(
            CapturedFrame frame,
            PresentationClock clock,
            double sourceFps,
            long startNanos,
            long startMillis) {
        if (!spec.isLive()) {
            long pts = clock.next(frame.ptsMicros());
            waitWhileWorkersLag();
            sleepNanos(limit.delayNanos(System.nanoTime()));
            return Instant.ofEpochMilli(startMillis + pts / 1000);
        }
        if (spec.realtime()) {
            long pts = clock.next(frame.ptsMicros());
            sleepNanos(startNanos + pts * 1000 - System.nanoTime());
        }
        adapt(sourceFps);
        if (!limit.admit(System.nanoTime())) {
            metrics.drop();
            return null;
        }
        return Instant.ofEpochMilli(
                spec.realtime() ? System.currentTimeMillis() : frame.wallClockMillis());
    }

    private void publish(CapturedFrame frame, FrameEncoder encoder, Instant captureTime) {
        long t0 = System.nanoTime();
        EncodedImage image = encoder.encode(frame.image());
        metrics.encodeTime(System.nanoTime() - t0);
        publisher.send(newFrame(captureTime, false), image, metrics);
    }

    private Frame newFrame(Instant captureTime, boolean endOfStream) {
        lastCaptureMillis = captureTime.toEpochMilli();
        return Frame.newBuilder()
                .setStreamId(spec.streamId())
                .setEpoch(epoch)
                .setSeq(seq++)
                .setSourceKind(spec.kind())
                .setCaptureTime(captureTime)
                .setIngestTime(Instant.now())
                .setSource(spec.displayUri())
                .setPipelineId(spec.pipelineId().orElse(null))
                .setModelId(spec.modelId().orElse(null))
                .setEndOfStream(endOfStream)
                .build();
    }

    /**
     * Live rate from the workers' lag on this stream's partition (AIMD), checked once per lag
     * interval.
     */
    private void adapt(double sourceFps) {
        OptionalLong lag = currentLag();
        if (lag.isEmpty()) {
            return;
        }
        double before = adaptive.factor();
        double factor = adaptive.update(lag.getAsLong());
        if (factor != before) {
            double base = spec.maxFps().orElse(sourceFps > 0 ? sourceFps : 25);
            limit.setFps(factor >= 1.0 && spec.maxFps().isEmpty() ? 0 : base * factor);
            metrics.rateFactor(factor);
            log.info(
                    "stream {}: workers' lag {} on partition {}: publishing at {}% of {} fps",
                    spec.streamId(),
                    lag.getAsLong(),
                    metrics.partition(),
                    Math.round(factor * 100),
                    Math.round(base));
        }
    }

    /** Files stop reading while the workers' lag on their partition is above the bound. */
    private void waitWhileWorkersLag() {
        if (settings.fileLagBound() <= 0) {
            return;
        }
        while (!stopping) {
            OptionalLong lag = lagOfPartition.apply(metrics.partition());
            boolean high = lag.isPresent() && lag.getAsLong() > settings.fileLagBound();
            if (high != pausedForLag) {
                pausedForLag = high;
                log.info(
                        "stream {}: {} reading: workers' lag {} on partition {} (bound {})",
                        spec.streamId(),
                        high ? "pausing" : "resuming",
                        lag.orElse(0),
                        metrics.partition(),
                        settings.fileLagBound());
            }
            if (!high) {
                return;
            }
            sleep(settings.lagInterval());
        }
    }

    private OptionalLong currentLag() {
        long now = System.nanoTime();
        if (metrics.partition() < 0 || now - lastLagCheckNanos < settings.lagInterval().toNanos()) {
            return OptionalLong.empty();
        }
        lastLagCheckNanos = now;
        return lagOfPartition.apply(metrics.partition());
    }

    /**
     * Why a file that ended looks cut short, or null. FFmpeg's own errors say so; otherwise the
     * last frame's timestamp is held against the time the container declares (its frame count over
     * its rate, else its duration): a file whose frames end more than a second (or 2 %) early was
     * cut. Fewer decoded frames than declared is not an error by itself: AVIs repeat a frame with
     * an empty chunk, which decodes to nothing but advances time.
     */
    private String truncation(FrameSource source) {
        if (truncationReason != null) {
            return "stopped after " + decoded + " frame(s): " + truncationReason;
        }
        long declared = source.declaredFrames();
        double fps = source.frameRate();
        long frameMicros = fps > 0 ? (long) (1e6 / fps) : 0;
        long expected =
                declared > 0 && fps > 0 ? (long) (declared * 1e6 / fps) : source.durationMicros();
        long reached = lastPtsMicros < 0 ? 0 : lastPtsMicros + frameMicros;
        if (expected > 0 && reached < expected - Math.max(1_000_000, expected / 50)) {
            return String.format(
                    java.util.Locale.ROOT,
                    "ended at %.1f s (%d frames) of the %.1f s the container declares:"
                            + " the file looks truncated or corrupt",
                    reached / 1e6,
                    decoded,
                    expected / 1e6);
        }
        if (declared > 0 && decoded < declared - Math.max(2, declared / 100)) {
            log.info(
                    "stream {} ({}): {} frames decoded of the {} the container declares, over its"
                            + " whole length: the rest are empty repeat chunks, not an error",
                    spec.streamId(),
                    spec.displayUri(),
                    decoded,
                    declared);
        }
        return null;
    }

    /**
     * Ends the stream: one end-of-stream frame when anything was published, then ENDED or FAILED.
     */
    private void finish(String failure) {
        if (seq > 0) {
            publisher.send(newFrame(Instant.ofEpochMilli(lastCaptureMillis), true), null, metrics);
        }
        publisher.flush();
        state(failure == null ? PipelineState.ENDED : PipelineState.FAILED, failure);
    }

    private void state(PipelineState state, String reason) {
        if (state == metrics.state() && java.util.Objects.equals(reason, metrics.reason())) {
            return;
        }
        metrics.state(state, reason);
        if (state == PipelineState.FAILED) {
            log.error("stream {} ({}): {}: {}", spec.streamId(), spec.displayUri(), state, reason);
        } else if (reason != null) {
            log.warn("stream {} ({}): {}: {}", spec.streamId(), spec.displayUri(), state, reason);
        } else {
            log.info(
                    "stream {} ({}): {} (epoch {}, {} frame(s) so far)",
                    spec.streamId(),
                    spec.displayUri(),
                    state,
                    epoch,
                    seq);
        }
    }

    private void sleep(Duration duration) {
        sleepNanos(duration.toNanos());
    }

    private void sleepNanos(long nanos) {
        long end = System.nanoTime() + nanos;
        // short slices, so stop() is honoured within 100 ms
        while (!stopping && nanos > 0) {
            try {
                Thread.sleep(
                        Math.min(100, Math.max(1, nanos / 1_000_000)),
                        (int) (nanos < 1_000_000 ? nanos : 0));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
            nanos = end - System.nanoTime();
        }
    }
}
