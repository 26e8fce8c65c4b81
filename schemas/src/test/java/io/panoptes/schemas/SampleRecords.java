package io.panoptes.schemas;

import io.panoptes.avro.Box;
import io.panoptes.avro.DesiredState;
import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Event;
import io.panoptes.avro.EventKind;
import io.panoptes.avro.Frame;
import io.panoptes.avro.FrameEncoding;
import io.panoptes.avro.FramePolicy;
import io.panoptes.avro.Keypoint;
import io.panoptes.avro.Line;
import io.panoptes.avro.ModelLayout;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.ModelSpec;
import io.panoptes.avro.ModelTask;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.PipelineState;
import io.panoptes.avro.PipelineStatus;
import io.panoptes.avro.Point;
import io.panoptes.avro.RuleSpec;
import io.panoptes.avro.SourceKind;
import io.panoptes.avro.StageTimings;
import io.panoptes.avro.WindowCount;
import io.panoptes.avro.Zone;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One fully populated record of every type of the contract, for round trips. */
public final class SampleRecords {

    public static final Instant T0 = Instant.parse("2026-11-27T10:15:30.123Z");

    private SampleRecords() {}

    public static Frame frame(long seq) {
        return Frame.newBuilder()
                .setStreamId("cam-1")
                .setEpoch(T0.toEpochMilli())
                .setSeq(seq)
                .setSourceKind(SourceKind.LIVE)
                .setCaptureTime(T0.plusMillis(40 * seq))
                .setIngestTime(T0.plusMillis(40 * seq + 3))
                .setWidth(720)
                .setHeight(528)
                .setEncoding(FrameEncoding.JPEG)
                .setPayload(
                        ByteBuffer.wrap(
                                new byte[] {
                                    (byte) 0xff, (byte) 0xd8, 1, 2, 3, (byte) 0xff, (byte) 0xd9
                                }))
                .setSource("rtsp://127.0.0.1:8554/test")
                .setPipelineId("door")
                .setModelId("blazeface")
                .build();
    }

    public static Detection detection() {
        return Detection.newBuilder()
                .setClassId(0)
                .setLabel("face")
                .setConfidence(0.93f)
                .setBox(new Box(230.5f, 210f, 125f, 124f))
                .setTrackId(7L)
                .setKeypoints(
                        List.of(
                                new Keypoint(260f, 250f, "right_eye", null),
                                new Keypoint(320f, 250f, null, null)))
                .build();
    }

    public static Detections detections(long seq) {
        return Detections.newBuilder()
                .setStreamId("cam-1")
                .setEpoch(T0.toEpochMilli())
                .setSeq(seq)
                .setPipelineId("door")
                .setSourceKind(SourceKind.LIVE)
                .setCaptureTime(T0.plusMillis(40 * seq))
                .setInferenceTime(T0.plusMillis(40 * seq + 20))
                .setModel(new ModelRef("blazeface", "sha256:d388b1cf"))
                .setStatus(DetectionStatus.OK)
                .setError(null)
                .setWidth(720)
                .setHeight(528)
                .setDetections(List.of(detection()))
                .setTimings(new StageTimings(0.5f, 2.25f, 1.75f, 0.25f))
                .build();
    }

    public static WindowCount windowCount() {
        return WindowCount.newBuilder()
                .setStreamId("cam-1")
                .setPipelineId("door")
                .setLabel("person")
                .setZone("entrance")
                .setWindowStart(T0)
                .setWindowEnd(T0.plusSeconds(60))
                .setUniqueTracks(12)
                .setMaxConcurrent(4)
                .setMeanPerFrame(1.75)
                .setLineIn(5)
                .setLineOut(3)
                .setFramesSeen(1490)
                .setFramesSkipped(10)
                .setFinal$(true)
                .build();
    }

    public static Event event() {
        return Event.newBuilder()
                .setEventId("door-crowd/cam-1/1764238530123")
                .setRuleId("door-crowd")
                .setStreamId("cam-1")
                .setPipelineId("door")
                .setTime(T0)
                .setKind(EventKind.COUNT_THRESHOLD)
                .setAttributes(Map.of("label", "person", "count", "6", "threshold", "5"))
                .setDetections(List.of(detection()))
                .build();
    }

    public static PipelineSpec pipelineSpec() {
        Point a = new Point(0d, 300d);
        Point b = new Point(720d, 300d);
        return PipelineSpec.newBuilder()
                .setPipelineId("door")
                .setVersion(3)
                .setSource("rtsp://127.0.0.1:8554/test")
                .setSourceOptions(Map.of("rtsp_transport", "tcp"))
                .setMaxFps(10.0)
                .setModel("blazeface")
                .setPolicy(FramePolicy.LATEST)
                .setMaxStalenessMillis(500L)
                .setZones(
                        List.of(
                                new Zone(
                                        "entrance",
                                        List.of(
                                                new Point(0d, 0d),
                                                new Point(100d, 0d),
                                                new Point(100d, 100d)))))
                .setLines(List.of(new Line("threshold", a, b)))
                .setRules(
                        List.of(
                                RuleSpec.newBuilder()
                                        .setId("door-crowd")
                                        .setKind(EventKind.COUNT_THRESHOLD)
                                        .setLabel("person")
                                        .setZone("entrance")
                                        .setThreshold(5.0)
                                        .setDurationMillis(60_000L)
                                        .setCooldownMillis(300_000L)
                                        .build()))
                .setDesiredState(DesiredState.RUNNING)
                .setUpdated(T0)
                .build();
    }

    public static ModelSpec modelSpec() {
        return ModelSpec.newBuilder()
                .setModelId("people")
                .setVersion(3)
                .setSource("https://models.example.com/yolov8n.onnx")
                .setSha256("0123456789abcdef".repeat(4))
                .setFamily(ModelLayout.YOLOV8)
                .setTask(ModelTask.DETECT)
                .setLabels(List.of("person", "bicycle", "car"))
                .setInputWidth(640)
                .setInputHeight(640)
                .setConfidence(0.3f)
                .setUpdated(Instant.ofEpochMilli(1764238530123L))
                .build();
    }

    public static PipelineStatus pipelineStatus() {
        return PipelineStatus.newBuilder()
                .setPipelineId("door")
                .setSpecVersion(3)
                .setOwner("ingest@host-a:4242")
                .setState(PipelineState.RECONNECTING)
                .setReason("rtsp://127.0.0.1:8554/test: connection refused")
                .setFps(9.8)
                .setLag(42)
                .setLastFrameTime(T0)
                .setUpdated(T0.plusSeconds(1))
                .build();
    }
}
