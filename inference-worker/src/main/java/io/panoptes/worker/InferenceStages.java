package io.panoptes.worker;

import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.StageTimings;
import io.panoptes.schemas.claimcheck.PayloadStore;
import io.panoptes.worker.image.FrameImageDecoder;
import io.panoptes.worker.internal.model.ModelCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decode and inference stages of a worker: frames are decoded (JPEG/PNG into pooled images) on
 * the decode threads, then run in batches, grouped by model, on the inference threads, so the next
 * frames are decoded while a model runs. Every frame submitted gets exactly one result, detections
 * or FAILED, handed to its callback on an inference or decode thread.
 *
 * <p>Owns its threads, one decoded image per frame it may hold ({@code capacity}; the caller keeps
 * at most that many in flight) and each thread's decoder and model runners: close it (idempotent).
 */
final class InferenceStages implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InferenceStages.class);
    private static final long STOP_WAIT_SECONDS = 10;

    private final WorkerMetrics metrics;
    private final ExecutorService decoding;
    private final ExecutorService inference;
    private final int inferenceThreads;
    private final List<AutoCloseable> perThread = new CopyOnWriteArrayList<>();
    private final ThreadLocal<FrameImageDecoder> decoder;
    private final ThreadLocal<FrameProcessor> processor;
    private final ModelCatalog catalog;
    private final BlockingQueue<Mat> images;
    private final BatchQueue<Decoded> toInfer;
    private boolean started;
    private boolean closed;

    /** A decoded frame waiting for an inference thread, and where its result goes. */
    private record Decoded(FrameProcessor.Decoded frame, Consumer<Detections> done) {}

    InferenceStages(
            WorkerSettings settings,
            ModelCatalog catalog,
            PayloadStore store,
            WorkerMetrics metrics) {
        this.metrics = metrics;
        this.catalog = catalog;
        this.inferenceThreads = settings.inferenceThreads();
        this.decoder =
                ThreadLocal.withInitial(
                        () -> owned(new FrameImageDecoder(settings.maxPixels(), store)));
        this.processor =
                ThreadLocal.withInitial(
                        () -> owned(new FrameProcessor(catalog, settings.maxBatch())));
        this.images = new ArrayBlockingQueue<>(settings.queueCapacity());
        for (int i = 0; i < settings.queueCapacity(); i++) {
            images.add(new Mat());
        }
        this.toInfer = new BatchQueue<>(settings.maxBatch(), settings.maxBatchWait());
        this.decoding = pool("decode", settings.decodeThreads());
        this.inference = pool("inference", settings.inferenceThreads());
    }

    /** Starts the inference threads. */
    synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(
                    "the inference stages were " + (closed ? "closed" : "already started"));
        }
        started = true;
        for (int i = 0; i < inferenceThreads; i++) {
            inference.execute(this::inferLoop);
        }
    }

    /**
     * Decodes {@code frame} and runs {@code plan}'s model (and second stage) on it; {@code done}
     * gets its one result.
     *
     * @param queuedAtNanos when the frame was taken from Kafka, for its queue time
     */
    void submit(
            Frame frame, FrameTriage.Infer plan, long queuedAtNanos, Consumer<Detections> done) {
        metrics.inFlight().incrementAndGet();
        decoding.execute(() -> decodeThenQueue(frame, plan, queuedAtNanos, done));
    }

    /** Frames submitted whose result is not handed over yet. */
    int inFlight() {
        return metrics.inFlight().get();
    }

    /**
     * Decode stage: the frame's image into a pooled Mat, then on to the inference stage (or a
     * FAILED result).
     */
    private void decodeThenQueue(
            Frame frame, FrameTriage.Infer plan, long queuedAtNanos, Consumer<Detections> done) {
        Mat pooled = images.poll(); // one image per frame in flight: empty only if the caller broke
        // that bound
        Mat image = pooled != null ? pooled : owned(new Mat());
        long start = System.nanoTime();
        try {
            decoder.get().decode(frame, image);
        } catch (RuntimeException e) {
            images.offer(image);
            metrics.inFlight().decrementAndGet();
            done.accept(
                    Results.failed(
                            frame,
                            new ModelRef(plan.modelId(), null),
                            e.getMessage(),
                            new StageTimings(0f, (System.nanoTime() - start) / 1e6f, 0f, 0f)));
            return;
        }
        float decodeMs = (System.nanoTime() - start) / 1e6f;
        toInfer.add(
                new Decoded(
                        new FrameProcessor.Decoded(frame, plan, image, queuedAtNanos, decodeMs),
                        done));
    }

    /**
     * Inference stage: batches of decoded frames, grouped by model (and second stage), each group
     * in as few runs as its model allows.
     */
    private void inferLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            List<Decoded> batch;
            try {
                batch = toInfer.take();
            } catch (InterruptedException e) {
                return; // stopping
            }
            metrics.batch(batch.size());
            Map<FrameTriage.Infer, List<Decoded>> byPlan = new LinkedHashMap<>();
            batch.forEach(
                    d -> byPlan.computeIfAbsent(d.frame().plan(), m -> new ArrayList<>()).add(d));
            byPlan.forEach(
                    (plan, frames) -> {
                        try {
                            infer(plan, frames);
                        } catch (RuntimeException e) {
                            // a bug must not end this thread: its frames fail, the next run on
                            log.error("inference of {} frame(s) failed", frames.size(), e);
                            fail(plan, frames, "unexpected error: " + e);
                        }
                    });
        }
    }

    /**
     * Runs {@code frames} when their model is ready (or has failed, or kept them waiting too long);
     * while it loads they wait off this thread, which goes on with other models' frames.
     */
    private void infer(FrameTriage.Infer plan, List<Decoded> frames) {
        CompletableFuture<Void> ready =
                plan.cascade() == null
                        ? catalog.ready(plan.modelId())
                        : CompletableFuture.allOf(
                                catalog.ready(plan.modelId()),
                                catalog.ready(plan.cascade().getModel()));
        if (!ready.isDone()) {
            ready.thenRun(() -> frames.forEach(toInfer::add));
            return;
        }
        List<Detections> results =
                processor.get().process(plan, frames.stream().map(Decoded::frame).toList());
        for (int i = 0; i < frames.size(); i++) {
            Decoded d = frames.get(i);
            images.offer(d.frame().image());
            metrics.inFlight().decrementAndGet();
            d.done().accept(results.get(i));
        }
    }

    private void fail(FrameTriage.Infer plan, List<Decoded> frames, String reason) {
        for (Decoded d : frames) {
            images.offer(d.frame().image());
            metrics.inFlight().decrementAndGet();
            d.done()
                    .accept(
                            Results.failed(
                                    d.frame().frame(),
                                    new ModelRef(plan.modelId(), null),
                                    reason,
                                    new StageTimings(0f, 0f, 0f, 0f)));
        }
    }

    private <T extends AutoCloseable> T owned(T resource) {
        perThread.add(resource);
        return resource;
    }

    private static ExecutorService pool(String name, int threads) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(
                threads,
                r -> {
                    Thread t = new Thread(r, name + "-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Stops both stages (frames still queued get no result: their partitions are redone) and frees
     * the native memory.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ExecutorService stage : List.of(decoding, inference)) {
            stage.shutdownNow();
            try {
                if (!stage.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    log.warn("a worker stage did not stop within {} s", STOP_WAIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        perThread.forEach(InferenceStages::closeQuietly);
        perThread.clear();
        images.forEach(Mat::close);
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("closing {} failed: {}", resource, e.toString());
        }
    }
}
