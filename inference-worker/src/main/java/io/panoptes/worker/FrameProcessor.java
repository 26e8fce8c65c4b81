package io.panoptes.worker;

import ai.onnxruntime.OrtException;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.StageTimings;
import io.panoptes.worker.model.ModelCatalog;
import io.panoptes.worker.model.ModelLoadException;
import io.panoptes.worker.model.ModelRunner;
import io.panoptes.worker.model.OnnxModel;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One inference thread's work: run a frame's model on its decoded image and build its result.
 * Anything that goes wrong with this frame (a model that cannot load, an ONNX Runtime error)
 * becomes a FAILED result naming the cause; nothing escapes. Owns the thread's model runners;
 * not thread-safe.
 */
final class FrameProcessor implements AutoCloseable {

    private final ModelCatalog catalog;
    private final Map<String, ModelRunner> runners = new HashMap<>();

    FrameProcessor(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * The result of {@code frame}, whose image was decoded ({@code decodeMs}) by the decode stage.
     *
     * @param queuedAtNanos when the frame was accepted from Kafka
     */
    Detections process(Frame frame, String modelId, Mat image, long queuedAtNanos, float decodeMs) {
        long start = System.nanoTime();
        float queueMs = Math.max(0, (start - queuedAtNanos) / 1e6f - decodeMs);
        ModelRef model = new ModelRef(modelId, null);
        try {
            ModelRunner runner = runner(modelId);
            model.setVersion(runner.model().version());
            ModelRunner.Inference inference = runner.detect(image);
            return Results.ok(frame, model, inference.detections(), new StageTimings(queueMs,
                    decodeMs + inference.preprocessMs(), inference.inferMs(), inference.postprocessMs()));
        } catch (ModelLoadException e) {
            return Results.failed(frame, model, e.getMessage(), timings(queueMs, start));
        } catch (OrtException e) {
            return Results.failed(frame, model, "model " + modelId + " failed on this frame: " + e.getMessage(),
                    timings(queueMs, start));
        } catch (RuntimeException e) {
            return Results.failed(frame, model, "unexpected error: " + e, timings(queueMs, start));
        }
    }

    private ModelRunner runner(String modelId) {
        ModelRunner runner = runners.get(modelId);
        if (runner == null) {
            OnnxModel model = catalog.get(modelId);
            runner = new ModelRunner(catalog.environment(), model);
            runners.put(modelId, runner);
        }
        return runner;
    }

    private static StageTimings timings(float queueMs, long start) {
        return new StageTimings(queueMs, (System.nanoTime() - start) / 1e6f, 0f, 0f);
    }

    @Override
    public void close() {
        runners.values().forEach(ModelRunner::close);
    }
}
