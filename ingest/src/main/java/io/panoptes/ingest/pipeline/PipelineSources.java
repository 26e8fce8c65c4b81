package io.panoptes.ingest.pipeline;

import io.panoptes.avro.DesiredState;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.ingest.source.SourcePolicy;
import io.panoptes.ingest.source.SourceSpec;
import java.util.Objects;

/** How a {@link PipelineSpec} becomes a source to ingest. */
public final class PipelineSources {

    private PipelineSources() {}

    /**
     * The source of {@code spec}: its frames are keyed by the pipeline id and carry it, with the
     * pipeline's model.
     *
     * @throws IllegalArgumentException naming the pipeline and what is wrong with its source
     */
    public static SourceSpec toSource(PipelineSpec spec, SourcePolicy policy) {
        try {
            policy.check(spec.getSource());
            SourceSpec.Builder builder = SourceSpec.builder(spec.getSource()).streamId(spec.getPipelineId())
                    .pipelineId(spec.getPipelineId()).modelId(spec.getModel()).maxFps(spec.getMaxFps());
            spec.getSourceOptions().forEach(builder::option);
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pipeline " + spec.getPipelineId() + ": " + e.getMessage(), e);
        }
    }

    /** UNKNOWN (a spec written without a desired state) means RUNNING. */
    public static DesiredState desired(PipelineSpec spec) {
        return spec.getDesiredState() == DesiredState.UNKNOWN ? DesiredState.RUNNING : spec.getDesiredState();
    }

    /** Whether two versions read the same frames the same way; zones, lines and rules are the aggregator's. */
    public static boolean sameSource(PipelineSpec a, PipelineSpec b) {
        return a.getSource().equals(b.getSource()) && a.getSourceOptions().equals(b.getSourceOptions())
                && Objects.equals(a.getMaxFps(), b.getMaxFps()) && Objects.equals(a.getModel(), b.getModel());
    }
}
