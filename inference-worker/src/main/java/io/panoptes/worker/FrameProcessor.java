package io.panoptes.worker;

import ai.onnxruntime.OrtException;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.StageTimings;
import io.panoptes.worker.image.FrameDecodeException;
import io.panoptes.worker.image.FrameImageDecoder;
import io.panoptes.worker.model.ModelCatalog;
import io.panoptes.worker.model.ModelLoadException;
import io.panoptes.worker.model.ModelRunner;
import io.panoptes.worker.model.OnnxModel;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One inference thread's work: decode a frame's image, run its model, build its result. Anything
 * that goes wrong with this frame (an undecodable payload, a model that cannot load, an ONNX
 * Runtime error) becomes a FAILED result naming the cause; nothing escapes. Owns the thread's
 * decoder and model runners; not thread-safe.
 */
final class FrameProcessor implements AutoCloseable {

    private final ModelCatalog catalog;
    private final FrameImageDecoder decoder;
    private final Map<String, ModelRunner> runners = new HashMap<>();

    FrameProcessor(ModelCatalog catalog, FrameImageDecoder decoder) {
        this.catalog = catalog;
        this.decoder = decoder;
    }

    Detections process(Frame frame, String modelId, long queuedAtNanos) {
        long start = System.nanoTime();
        float queueMs = (start - queuedAtNanos) / 1e6f;
        ModelRef model = new ModelRef(modelId, null);
        try {
            ModelRunner runner = runner(modelId);
            model.setVersion(runner.model().version());
            Mat image = decoder.decode(frame);
            float decodeMs = (System.nanoTime() - start) / 1e6f;
            ModelRunner.Inference inference = runner.detect(image);
            return Results.ok(frame, model, inference.detections(), new StageTimings(queueMs,
                    decodeMs + inference.preprocessMs(), inference.inferMs(), inference.postprocessMs()));
        } catch (ModelLoadException | FrameDecodeException e) {
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
        decoder.close();
    }
}
