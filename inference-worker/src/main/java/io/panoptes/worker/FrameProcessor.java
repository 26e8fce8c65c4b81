package io.panoptes.worker;

import ai.onnxruntime.OrtException;
import io.panoptes.avro.CascadeSpec;
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
 * One inference thread's work: run a batch of frames of one model on their decoded images, then the
 * second stage of their pipeline's cascade on crops of what it found ({@link CascadeStage}), and
 * build their results. Anything that goes wrong (a model that cannot load, an ONNX Runtime error)
 * becomes a FAILED result per frame naming the cause; nothing escapes. Owns the thread's model
 * runners; not thread-safe.
 */
final class FrameProcessor implements AutoCloseable {

    /**
     * A frame whose image the decode stage has decoded ({@code decodeMs}).
     *
     * @param queuedAtNanos when the frame was accepted from Kafka
     */
    record Decoded(
            Frame frame, FrameTriage.Infer plan, Mat image, long queuedAtNanos, float decodeMs) {}

    private final ModelCatalog catalog;
    private final RunnerCache runners;

    FrameProcessor(ModelCatalog catalog, int maxBatch) {
        this.catalog = catalog;
        this.runners = new RunnerCache(maxBatch);
    }

    /**
     * The results of {@code frames}, all of {@code plan}, in their order; run in batches the models
     * allow.
     */
    List<Detections> process(FrameTriage.Infer plan, List<Decoded> frames) {
        long start = System.nanoTime();
        String modelId = plan.modelId();
        ModelRef model = new ModelRef(modelId, null);
        List<ModelRunner.Inference> inferences = new ArrayList<>(frames.size());
        try (ModelCatalog.Lease lease = catalog.acquire(modelId)) {
            ModelRunner runner = runners.runner(lease);
            model.setVersion(runner.model().version());
            for (int from = 0; from < frames.size(); from += runner.batchCapacity()) {
                List<Decoded> batch =
                        frames.subList(
                                from, Math.min(frames.size(), from + runner.batchCapacity()));
                inferences.addAll(runner.detect(batch.stream().map(Decoded::image).toList()));
            }
        } catch (ModelLoadException e) {
            return failed(frames, model, e.getMessage(), start);
        } catch (OrtException e) {
            return failed(
                    frames,
                    model,
                    "model " + modelId + " failed on this frame's batch: " + e.getMessage(),
                    start);
        } catch (RuntimeException e) {
            return failed(frames, model, "unexpected error: " + e, start);
        }
        try {
            inferences = secondStage(plan.cascade(), frames, inferences);
        } catch (ModelLoadException | OrtException e) {
            return failed(
                    frames,
                    model,
                    "the cascade's model " + plan.cascade().getModel() + ": " + e.getMessage(),
                    start);
        }
        return results(frames, model, inferences, start);
    }

    private List<ModelRunner.Inference> secondStage(
            CascadeSpec cascade, List<Decoded> frames, List<ModelRunner.Inference> first)
            throws OrtException {
        if (cascade == null) {
            return first;
        }
        try (ModelCatalog.Lease lease = catalog.acquire(cascade.getModel())) {
            return new CascadeStage(cascade, runners.runner(lease))
                    .run(frames.stream().map(Decoded::image).toList(), first);
        }
    }

    private static List<Detections> results(
            List<Decoded> frames,
            ModelRef model,
            List<ModelRunner.Inference> inferences,
            long start) {
        List<Detections> results = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            Decoded d = frames.get(i);
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

    /** FAILED results for every frame, with {@code reason}. */
    private static List<Detections> failed(
            List<Decoded> frames, ModelRef model, String reason, long start) {
        List<Detections> failed = new ArrayList<>(frames.size());
        for (Decoded d : frames) {
            failed.add(
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
        return failed;
    }

    private static float queueMs(Decoded d, long start) {
        return Math.max(0, (start - d.queuedAtNanos()) / 1e6f - d.decodeMs());
    }

    @Override
    public void close() {
        runners.close();
    }
}
