package io.panoptes.worker.model;

import io.panoptes.avro.ModelSpec;
import io.panoptes.pipeline.PipelineSpecs;
import io.panoptes.pipeline.Violation;
import io.panoptes.pipeline.model.ModelSpecs;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A model as a worker knows it: how to run it ({@link ModelConfig}), what its file must be (a
 * pinned sha256, an input size) and where the definition came from, for messages. Two definitions
 * that differ in anything mean the model must be loaded again.
 *
 * @param sha256 the SHA-256 a local file must have; null to take it as it is (URLs are always
 *     pinned, by their {@link ModelDownload})
 * @param inputWidth the input width the graph must have; null for any
 * @param inputHeight as inputWidth
 * @param origin where it was defined ({@code --model}, {@code models topic v3})
 */
public record ModelDefinition(
        ModelConfig config, String sha256, Integer inputWidth, Integer inputHeight, String origin) {

    public ModelDefinition {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(origin, "origin");
    }

    /** A model configured on this worker's command line. */
    public static ModelDefinition configured(ModelConfig config) {
        return new ModelDefinition(config, null, null, null, "this worker's configuration");
    }

    /**
     * The model {@code spec} (from the models topic) defines, its URL cached under {@code cache}.
     *
     * @throws IllegalArgumentException naming the model, the field and the cause when the spec is
     *     invalid or names a bundled model this build lacks
     */
    public static ModelDefinition of(ModelSpec spec, ModelCache cache) {
        String origin = "models topic v" + spec.getVersion();
        List<Violation> violations = ModelSpecs.validate(spec);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException(
                    "model "
                            + spec.getModelId()
                            + " ("
                            + origin
                            + ") is invalid: "
                            + PipelineSpecs.describe(violations));
        }
        ModelConfig config =
                thresholds(spec, base(spec, cache))
                        .withTask(ModelTask.valueOf(spec.getTask().name()));
        return new ModelDefinition(
                config,
                ModelSpecs.isUrl(spec.getSource()) ? null : spec.getSha256(),
                spec.getInputWidth(),
                spec.getInputHeight(),
                origin);
    }

    private static ModelConfig base(ModelSpec spec, ModelCache cache) {
        String id = spec.getModelId();
        ModelFamily family = ModelFamily.valueOf(spec.getFamily().name());
        String source = spec.getSource();
        if (source.startsWith(ModelSpecs.BUNDLED)) {
            String name = source.substring(ModelSpecs.BUNDLED.length());
            BundledModels bundled =
                    BundledModels.named(name)
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "model "
                                                            + id
                                                            + ": no bundled model '"
                                                            + name
                                                            + "'; bundled are "
                                                            + BundledModels.names()));
            ModelConfig config = bundled.config(cache.dir());
            return new ModelConfig(
                    id,
                    config.path(),
                    family,
                    config.labels(),
                    config.confidence(),
                    config.iou(),
                    config.maxDetections(),
                    config.download(),
                    ModelTask.DETECT);
        }
        if (ModelSpecs.isUrl(source)) {
            ModelDownload download = new ModelDownload(URI.create(source), spec.getSha256());
            return ModelConfig.of(id, cache.cachePath(download), family).withDownload(download);
        }
        return ModelConfig.of(id, Path.of(source), family);
    }

    private static ModelConfig thresholds(ModelSpec spec, ModelConfig config) {
        if (!spec.getLabels().isEmpty()) {
            config = config.withLabels(spec.getLabels());
        }
        float confidence =
                spec.getConfidence() != null ? spec.getConfidence() : config.confidence();
        float iou = spec.getIou() != null ? spec.getIou() : config.iou();
        config = config.withThresholds(confidence, iou);
        return spec.getMaxDetections() != null
                ? config.withMaxDetections(spec.getMaxDetections())
                : config;
    }
}
