package io.panoptes.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Frame;
import io.panoptes.avro.FrameEncoding;
import io.panoptes.avro.FramePolicy;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.SourceKind;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class FrameTriageTest {

    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final ModelConfig FACE =
            ModelConfig.of("face", TestData.file(TestData.BLAZEFACE_FRONT), ModelFamily.BLAZEFACE);
    private static final ModelConfig YOLO =
            ModelConfig.of(
                    "yolo", TestData.file(TestData.BRIGHT_SQUARE_YOLOV8), ModelFamily.YOLOV8);

    private final FrameTriage triage =
            new FrameTriage(
                    WorkerSettings.builder()
                            .model(FACE)
                            .model(YOLO)
                            .maxStaleness(Duration.ofMillis(500))
                            .build());

    @Test
    void shouldTakeTheModelFromTheFrameElseItsPipelineElseTheDefault() {
        Optional<PipelineSpec> squares = Optional.of(pipeline(b -> b.setModel("yolo")));

        assertThat(modelOf(triage.decide(frame(b -> b), squares, NOW))).isEqualTo("yolo");
        assertThat(modelOf(triage.decide(frame(b -> b.setModelId("face")), squares, NOW)))
                .isEqualTo("face");
        assertThat(modelOf(triage.decide(frame(b -> b), Optional.empty(), NOW)))
                .as("the first model is the default")
                .isEqualTo("face");
        assertThat(modelOf(triage.decide(frame(b -> b), Optional.of(pipeline(b -> b)), NOW)))
                .isEqualTo("face");
    }

    @Test
    void shouldSkipStaleLiveFramesOnlyUnderTheLatestPolicy() {
        Frame old =
                frame(b -> b.setSourceKind(SourceKind.LIVE).setCaptureTime(NOW.minusMillis(800)));

        FrameTriage.Answer skipped = (FrameTriage.Answer) triage.decide(old, Optional.empty(), NOW);
        assertThat(skipped.result().getStatus()).isEqualTo(DetectionStatus.SKIPPED_STALE);
        assertThat(skipped.result().getError())
                .contains("800 ms old, more than the 500 ms allowed");
        assertThat(
                        triage.decide(
                                frame(
                                        b ->
                                                b.setSourceKind(SourceKind.LIVE)
                                                        .setCaptureTime(NOW.minusMillis(400))),
                                Optional.empty(),
                                NOW))
                .isInstanceOf(FrameTriage.Infer.class);
        assertThat(
                        triage.decide(
                                old, Optional.of(pipeline(b -> b.setPolicy(FramePolicy.ALL))), NOW))
                .as("the pipeline's ALL policy")
                .isInstanceOf(FrameTriage.Infer.class);
        assertThat(
                        triage.decide(
                                old,
                                Optional.of(pipeline(b -> b.setMaxStalenessMillis(1000L))),
                                NOW))
                .as("the pipeline's own staleness")
                .isInstanceOf(FrameTriage.Infer.class);
        assertThat(
                        triage.decide(
                                frame(b -> b.setCaptureTime(NOW.minusSeconds(60))),
                                Optional.empty(),
                                NOW))
                .as("FILE frames are never stale")
                .isInstanceOf(FrameTriage.Infer.class);
        FrameTriage all =
                new FrameTriage(
                        WorkerSettings.builder().model(FACE).liveDefaultLatest(false).build());
        assertThat(all.decide(old, Optional.empty(), NOW))
                .as("the worker's ALL default")
                .isInstanceOf(FrameTriage.Infer.class);
    }

    @Test
    void shouldAnswerEndsOfStreamAndFramesWithoutAModelAtOnce() {
        FrameTriage.Answer end =
                (FrameTriage.Answer)
                        triage.decide(
                                frame(b -> b.setEndOfStream(true).setPayload(null)),
                                Optional.empty(),
                                NOW);
        assertThat(end.result().getStatus()).isEqualTo(DetectionStatus.END_OF_STREAM);
        assertThat(end.result().getSeq()).isEqualTo(7);

        FrameTriage none =
                new FrameTriage(WorkerSettings.builder().model(FACE).defaultModel(null).build());
        FrameTriage.Answer failed =
                (FrameTriage.Answer) none.decide(frame(b -> b), Optional.empty(), NOW);
        assertThat(failed.result().getStatus()).isEqualTo(DetectionStatus.FAILED);
        assertThat(failed.result().getError())
                .contains("no model: the frame, its pipeline and this worker name none");
    }

    private static String modelOf(FrameTriage.Decision decision) {
        return ((FrameTriage.Infer) decision).modelId();
    }

    private static Frame frame(UnaryOperator<Frame.Builder> change) {
        return change.apply(
                        Frame.newBuilder()
                                .setStreamId("cam")
                                .setEpoch(1)
                                .setSeq(7)
                                .setSourceKind(SourceKind.FILE)
                                .setCaptureTime(NOW)
                                .setIngestTime(NOW)
                                .setEncoding(FrameEncoding.PNG)
                                .setPayload(ByteBuffer.wrap(new byte[] {1})))
                .build();
    }

    private static PipelineSpec pipeline(UnaryOperator<PipelineSpec.Builder> change) {
        return change.apply(PipelineSpec.newBuilder().setPipelineId("squares").setSource("/v.avi"))
                .build();
    }
}
