package io.panoptes.worker;

import ai.onnxruntime.OrtException;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.StageTimings;
import io.panoptes.worker.internal.model.ModelCatalog;
import io.panoptes.worker.internal.model.ModelRunner;
import io.panoptes.worker.internal.model.RunnerCache;
import io.panoptes.worker.model.ModelLoadException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One inference thread's work: run a batch of frames of one model on their decoded images and build
 * their results. Anything that goes wrong (a model that cannot load, an ONNX Runtime error) becomes
 * a FAILED result per frame naming the cause; nothing escapes. Owns the thread's model runners; not
 * thread-safe.
 */
final class FrameProcessor implements AutoCloseable {

    /**
     * A frame whose image the decode stage has decoded ({@code decodeMs}).
     *
     * @param queuedAtNanos when the frame was accepted from Kafka
     */
    record Decoded(Frame frame, String modelId, Mat image, long queuedAtNanos, float decodeMs) {}

    private final ModelCatalog catalog;
    private final RunnerCache runners;

    FrameProcessor(ModelCatalog catalog, int maxBatch) {
        this.catalog = catalog;
        this.runners = new RunnerCache(maxBatch);
    }

    /**
     * The results of {@code frames}, all of model {@code modelId}, in their order; run in batches
     * the model allows.
     */
    List<Detections> process(String modelId, List<Decoded> frames) {
        long start = System.nanoTime();
        ModelRef model = new ModelRef(modelId, null);
        List<Detections> results = new ArrayList<>(frames.size());
        try (ModelCatalog.Lease lease = catalog.acquire(modelId)) {
            ModelRunner runner = runners.runner(lease);
            model.setVersion(runner.model().version());
            for (int from = 0; from < frames.size(); from += runner.batchCapacity()) {
                List<Decoded> batch =
                        frames.subList(
                                from, Math.min(frames.size(), from + runner.batchCapacity()));
                results.addAll(run(runner, model, batch, System.nanoTime()));
            }
            return results;
        } catch (ModelLoadException e) {
            return failedFrom(results, frames, model, e.getMessage(), start);
        } catch (OrtException e) {
            return failedFrom(
                    results,
                    frames,
                    model,
                    "model " + modelId + " failed on this frame's batch: " + e.getMessage(),
                    start);
        } catch (RuntimeException e) {
            return failedFrom(results, frames, model, "unexpected error: " + e, start);
        }
    }

    private static List<Detections> run(
            ModelRunner runner, ModelRef model, List<Decoded> batch, long start)
            throws OrtException {
        List<ModelRunner.Inference> inferences =
                runner.detect(batch.stream().map(Decoded::image).toList());
        List<Detections> results = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Decoded d = batch.get(i);
            ModelRunner.Inference inference = inferences.get(i);
            results.add(
                    Results.ok(
                            d.frame(),
                            model,
                            inference.detections(),
                            inference.classifications(),
                            new StageTimings(
                                    queueMs(d, start),
                                    d.decodeMs() + inference.preprocessMs(),
                                    inference.inferMs(),
                                    inference.postprocessMs())));
        }
        return results;
    }

    /** Keeps the results made so far and fails the rest with {@code reason}. */
    private static List<Detections> failedFrom(
            List<Detections> done,
            List<Decoded> frames,
            ModelRef model,
            String reason,
            long start) {
        for (Decoded d : frames.subList(done.size(), frames.size())) {
            done.add(
                    Results.failed(
                            d.frame(),
                            model,
                            reason,
                            new StageTimings(
                                    queueMs(d, start),
                                    (System.nanoTime() - start) / 1e6f,
                                    0f,
                                    0f)));
        }
        return done;
    }

    private static float queueMs(Decoded d, long start) {
        return Math.max(0, (start - d.queuedAtNanos()) / 1e6f - d.decodeMs());
    }

    @Override
    public void close() {
        runners.close();
    }
}
