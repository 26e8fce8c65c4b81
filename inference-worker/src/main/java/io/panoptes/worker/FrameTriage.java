package io.panoptes.worker;

import io.panoptes.avro.CascadeSpec;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.avro.FramePolicy;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.SourceKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a worker does with one frame, decided before anything is decoded: run a model on it, or
 * answer at once with a marker (its end-of-stream, a stale LIVE frame skipped, no model to run).
 * The model is the frame's own, else its pipeline's, else the worker's default; staleness applies
 * to LIVE frames under the LATEST policy (the pipeline's, else the worker's default) only. Pure: no
 * I/O, the time is given.
 */
final class FrameTriage {

    /** The outcome for one frame. */
    sealed interface Decision permits Infer, Answer {}

    /**
     * Decode the frame and run {@code modelId} on it, then {@code cascade}'s model on crops of its
     * detections (null: no second stage).
     */
    record Infer(String modelId, CascadeSpec cascade) implements Decision {}

    /** Write {@code result} as the frame's one result, without running a model. */
    record Answer(Detections result) implements Decision {}

    private final WorkerSettings settings;

    FrameTriage(WorkerSettings settings) {
        this.settings = settings;
    }

    /**
     * The decision for {@code frame} of {@code pipeline} (empty when it has none or it is unknown)
     * at {@code now}.
     */
    Decision decide(Frame frame, Optional<PipelineSpec> pipeline, Instant now) {
        String modelId = modelFor(frame, pipeline);
        if (frame.getEndOfStream()) {
            return new Answer(
                    Results.endOfStream(frame, new ModelRef(String.valueOf(modelId), null)));
        }
        Duration age = Duration.between(frame.getCaptureTime(), now);
        if (isStale(frame, pipeline, age)) {
            return new Answer(
                    Results.skippedStale(
                            frame,
                            new ModelRef(String.valueOf(modelId), null),
                            "frame was "
                                    + age.toMillis()
                                    + " ms old, more than the "
                                    + staleness(pipeline).toMillis()
                                    + " ms allowed for LIVE frames under the LATEST policy"));
        }
        if (modelId == null) {
            return new Answer(
                    Results.failed(
                            frame,
                            new ModelRef("none", null),
                            "no model: the frame, its pipeline and this worker name none",
                            null));
        }
        return new Infer(
                modelId,
                frame.getModelId() != null
                        ? null // a frame naming its own model runs that one alone
                        : pipeline.map(PipelineSpec::getCascade).orElse(null));
    }

    private String modelFor(Frame frame, Optional<PipelineSpec> pipeline) {
        if (frame.getModelId() != null) {
            return frame.getModelId();
        }
        return pipeline.map(PipelineSpec::getModel).orElse(settings.defaultModel());
    }

    private boolean isStale(Frame frame, Optional<PipelineSpec> pipeline, Duration age) {
        if (frame.getSourceKind() != SourceKind.LIVE) {
            return false; // FILE frames are processed completely
        }
        FramePolicy policy = pipeline.map(PipelineSpec::getPolicy).orElse(FramePolicy.UNKNOWN);
        boolean latest =
                policy == FramePolicy.UNKNOWN
                        ? settings.liveDefaultLatest()
                        : policy == FramePolicy.LATEST;
        return latest && age.compareTo(staleness(pipeline)) > 0;
    }

    private Duration staleness(Optional<PipelineSpec> pipeline) {
        return pipeline.map(PipelineSpec::getMaxStalenessMillis)
                .map(Duration::ofMillis)
                .orElse(settings.maxStaleness());
    }
}
