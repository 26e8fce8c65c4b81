package io.panoptes.worker;

import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.StageTimings;
import java.time.Instant;
import java.util.List;

/**
 * The one {@link Detections} record for a frame: real detections, or a marker saying why there are
 * none.
 */
final class Results {

    private static final StageTimings NONE = new StageTimings(0f, 0f, 0f, 0f);

    private Results() {}

    static Detections ok(
            Frame frame,
            ModelRef model,
            List<Detection> detections,
            List<io.panoptes.avro.Classification> classifications,
            StageTimings timings) {
        return base(frame, model, DetectionStatus.OK, null)
                .setDetections(detections)
                .setClassifications(classifications)
                .setTimings(timings)
                .build();
    }

    /**
     * @param timings where the time went before it failed; null when nothing ran
     */
    static Detections failed(Frame frame, ModelRef model, String error, StageTimings timings) {
        return base(frame, model, DetectionStatus.FAILED, error)
                .setTimings(timings == null ? NONE : timings)
                .build();
    }

    static Detections skippedStale(Frame frame, ModelRef model, String reason) {
        return base(frame, model, DetectionStatus.SKIPPED_STALE, reason).setTimings(NONE).build();
    }

    static Detections endOfStream(Frame frame, ModelRef model) {
        return base(frame, model, DetectionStatus.END_OF_STREAM, null).setTimings(NONE).build();
    }

    private static Detections.Builder base(
            Frame frame, ModelRef model, DetectionStatus status, String error) {
        return Detections.newBuilder()
                .setStreamId(frame.getStreamId())
                .setEpoch(frame.getEpoch())
                .setSeq(frame.getSeq())
                .setPipelineId(frame.getPipelineId())
                .setSourceKind(frame.getSourceKind())
                .setCaptureTime(frame.getCaptureTime())
                .setInferenceTime(Instant.now())
                .setModel(model)
                .setStatus(status)
                .setError(error)
                .setWidth(frame.getWidth())
                .setHeight(frame.getHeight())
                .setDetections(List.of());
    }
}
