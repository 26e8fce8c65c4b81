package io.panoptes.worker.internal.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.panoptes.worker.model.ModelConfig;

/** Loading a model as the worker does, with {@code threads} ONNX Runtime threads per run. */
final class TestModels {

    private TestModels() {}

    static OnnxModel load(ModelConfig config, int threads) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            return OnnxModel.load(OrtEnvironment.getEnvironment(), config, options);
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
