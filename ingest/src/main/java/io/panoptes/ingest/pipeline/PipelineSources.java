package io.panoptes.ingest.pipeline;

import io.panoptes.avro.PipelineSpec;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.pipeline.PipelineSpecs;
import io.panoptes.pipeline.Violation;
import io.panoptes.pipeline.source.SourcePolicy;
import java.util.List;

/** How a {@link PipelineSpec} becomes a source to ingest. */
public final class PipelineSources {

    private PipelineSources() {}

    /**
     * The source of {@code spec}: its frames are keyed by the pipeline id and carry it, with the
     * pipeline's model. The spec is validated first, as the API did before storing it.
     *
     * @throws IllegalArgumentException naming the pipeline and every field that is wrong
     */
    public static SourceSpec toSource(PipelineSpec spec, SourcePolicy policy) {
        List<Violation> violations = PipelineSpecs.validate(spec, policy);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException(
                    "pipeline "
                            + spec.getPipelineId()
                            + " is invalid: "
                            + PipelineSpecs.describe(violations));
        }
        try {
            SourceSpec.Builder builder =
                    SourceSpec.builder(spec.getSource())
                            .streamId(spec.getPipelineId())
                            .pipelineId(spec.getPipelineId())
                            .modelId(spec.getModel())
                            .maxFps(spec.getMaxFps());
            spec.getSourceOptions().forEach(builder::option);
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "pipeline " + spec.getPipelineId() + ": " + e.getMessage(), e);
        }
    }
}
