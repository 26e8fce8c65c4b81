package io.panoptes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.avro.FrameEncoding;
import io.panoptes.avro.SourceKind;
import io.panoptes.schemas.SampleRecords;
import io.panoptes.schemas.topics.DeadLetters;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelLoadException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(240)
class WorkerBadInputIT {

    @Test
    void shouldGiveEveryBadFrameAClearResultAndUnreadableRecordsToTheDlq(KafkaCluster kafka)
            throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 1)) {
            harness.send(frame(0, FrameEncoding.JPEG, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, null));
            harness.send(frame(1, FrameEncoding.JPEG, tinyJpeg(), null));
            harness.send(frame(2, FrameEncoding.JPEG, jpegClaiming(60_000, 60_000), null));
            harness.send(frame(3, FrameEncoding.JPEG, tinyJpeg(), "no-such-model"));
            harness.send(
                    frame(
                            4,
                            FrameEncoding.PNG,
                            Arrays.copyOf(TestData.bytes(TestData.WHITE_SQUARE_PNG), 200),
                            null));
            harness.sendRaw(
                    "x".getBytes(StandardCharsets.UTF_8),
                    "not avro at all".getBytes(StandardCharsets.UTF_8));
            harness.sendRaw(
                    "y".getBytes(StandardCharsets.UTF_8),
                    harness.topics
                            .detections()
                            .valueSerde()
                            .serializer()
                            .serialize(
                                    harness.topics.detections().name(),
                                    SampleRecords.detections(7))); // wrong record type
            harness.send(
                    frame(
                            5,
                            FrameEncoding.PNG,
                            TestData.bytes(TestData.WHITE_SQUARE_PNG),
                            "bright"));
            WorkerService worker = harness.worker(b -> b.defaultModel("blazeface"));

            await().atMost(WorkerHarness.WAIT).until(() -> worker.committed() >= 8);
            Map<Long, Detections> bySeq =
                    harness.results(6).stream()
                            .collect(Collectors.toMap(Detections::getSeq, d -> d));

            assertThat(bySeq.get(0L).getStatus()).isEqualTo(DetectionStatus.FAILED);
            assertThat(bySeq.get(0L).getError())
                    .contains("is not a JPEG: it starts with 01 02 03 04");
            assertThat(bySeq.get(1L).getStatus()).isEqualTo(DetectionStatus.OK);
            assertThat(bySeq.get(1L).getDetections()).isEmpty();
            assertThat(bySeq.get(2L).getError())
                    .contains("image claims 60000x60000 pixels")
                    .contains("pixel cap");
            assertThat(bySeq.get(3L).getError())
                    .contains("unknown model 'no-such-model'")
                    .contains("blazeface");
            assertThat(bySeq.get(4L).getError())
                    .contains(
                            "PNG payload (200 bytes) of a 640x640 image ends before its end marker");
            assertThat(bySeq.get(5L).getStatus()).isEqualTo(DetectionStatus.OK);
            assertThat(bySeq.get(5L).getDetections())
                    .filteredOn(d -> d.getLabel().equals("bright"))
                    .hasSize(4);

            List<ConsumerRecord<byte[], byte[]>> dead = harness.deadLetters(2);
            assertThat(dead)
                    .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .containsExactly("x", "y");
            assertThat(dead.get(0).value())
                    .isEqualTo("not avro at all".getBytes(StandardCharsets.UTF_8));
            assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.ERROR_MESSAGE))
                    .contains("not the magic byte");
            assertThat(DeadLetters.header(dead.get(1).headers(), DeadLetters.ERROR_MESSAGE))
                    .contains(
                            "(io.panoptes.avro.Detections) cannot be read as io.panoptes.avro.Frame");
            assertThat(DeadLetters.header(dead.get(1).headers(), DeadLetters.STAGE))
                    .isEqualTo("worker");
            assertThat(DeadLetters.header(dead.get(1).headers(), DeadLetters.SOURCE_TOPIC))
                    .isEqualTo(harness.topics.frames().name());
            assertThat(DeadLetters.header(dead.get(1).headers(), DeadLetters.SOURCE_OFFSET))
                    .isEqualTo("6");
            assertThat(worker.isRunning()).isTrue();
        }
    }

    @Test
    void shouldDeadLetterAnUnreadableFrameOfTwoMebibytesAndGoOnWithEveryPartition(
            KafkaCluster kafka) throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 2)) {
            byte[] huge = new byte[2 << 20]; // not Avro; the frames topic takes up to 4 MiB
            java.util.Arrays.fill(huge, (byte) 7);
            try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
                    new org.apache.kafka.clients.producer.KafkaProducer<>(
                            Map.of(
                                    "bootstrap.servers",
                                    kafka.bootstrapServers(),
                                    "max.request.size",
                                    4 << 20),
                            new org.apache.kafka.common.serialization.ByteArraySerializer(),
                            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                for (int partition = 0; partition < 2; partition++) {
                    producer.send(
                                    new org.apache.kafka.clients.producer.ProducerRecord<>(
                                            harness.topics.frames().name(),
                                            partition,
                                            "huge".getBytes(StandardCharsets.UTF_8),
                                            partition == 0 ? huge : "small".getBytes()))
                            .get();
                }
            }
            for (long seq = 0; seq < 6; seq++) {
                harness.send(frame(seq, FrameEncoding.JPEG, tinyJpeg(), null));
            }
            WorkerService worker = harness.worker(b -> b.defaultModel("blazeface"));

            await().atMost(WorkerHarness.WAIT).until(() -> worker.committed() >= 8);
            assertThat(harness.results(6))
                    .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(DetectionStatus.OK));
            List<ConsumerRecord<byte[], byte[]>> dead = harness.deadLetters(2);
            ConsumerRecord<byte[], byte[]> cut =
                    dead.stream().filter(r -> r.value().length > 100).findFirst().orElseThrow();
            assertThat(cut.value()).hasSize(DeadLetters.MAX_VALUE_BYTES);
            assertThat(DeadLetters.header(cut.headers(), DeadLetters.VALUE_TRUNCATED))
                    .isEqualTo(String.valueOf(2 << 20));
            assertThat(DeadLetters.header(cut.headers(), DeadLetters.SOURCE_PARTITION))
                    .isEqualTo("0");
        }
    }

    @Test
    void shouldRefuseToStartWithABrokenDefaultModel(KafkaCluster kafka, @TempDir Path dir)
            throws Exception {
        Path truncated =
                Files.write(
                        dir.resolve("cut.onnx"),
                        Arrays.copyOf(TestData.bytes(TestData.BLAZEFACE_FRONT), 1000));
        try (WorkerHarness harness = new WorkerHarness(kafka, 1)) {
            assertThatThrownBy(
                            () ->
                                    harness.worker(
                                            b ->
                                                    b.model(
                                                                    ModelConfig.of(
                                                                            "cut",
                                                                            truncated,
                                                                            ModelFamily.BLAZEFACE))
                                                            .defaultModel("cut")))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(
                            "model cut (BLAZEFACE, "
                                    + truncated
                                    + "): ONNX Runtime cannot load it");
            assertThatThrownBy(
                            () ->
                                    harness.worker(
                                            b ->
                                                    b.model(
                                                                    ModelConfig.of(
                                                                            "missing",
                                                                            dir.resolve("x.onnx"),
                                                                            ModelFamily.YOLOV8))
                                                            .defaultModel("missing")))
                    .hasMessageContaining(
                            "model missing (YOLOV8, " + dir.resolve("x.onnx") + "): no such file");
            assertThatThrownBy(
                            () ->
                                    harness.worker(
                                            b ->
                                                    b.model(
                                                                    ModelConfig.of(
                                                                            "wrong",
                                                                            TestData.file(
                                                                                    TestData
                                                                                            .BRIGHT_SQUARE_YOLOV5),
                                                                            ModelFamily.YOLOV8))
                                                            .defaultModel("wrong")))
                    .hasMessageContaining("got [1, 400, 7]");
        }
    }

    private static Frame frame(long seq, FrameEncoding encoding, byte[] payload, String modelId) {
        return Frame.newBuilder()
                .setStreamId("bad")
                .setEpoch(1)
                .setSeq(seq)
                .setSourceKind(SourceKind.FILE)
                .setCaptureTime(Instant.now())
                .setIngestTime(Instant.now())
                .setWidth(1)
                .setHeight(1)
                .setEncoding(encoding)
                .setPayload(ByteBuffer.wrap(payload))
                .setModelId(modelId)
                .build();
    }

    private static byte[] tinyJpeg() {
        try (Mat pixel = new Mat(1, 1, CV_8UC3, new Scalar(40, 80, 120, 0));
                BytePointer out = new BytePointer()) {
            imencode(".jpg", pixel, out);
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }

    /** A JPEG whose start-of-frame header claims {@code width}x{@code height}. */
    private static byte[] jpegClaiming(int width, int height) {
        return new byte[] {
            (byte) 0xff,
            (byte) 0xd8,
            (byte) 0xff,
            (byte) 0xc0,
            0,
            17,
            8,
            (byte) (height >> 8),
            (byte) height,
            (byte) (width >> 8),
            (byte) width,
            3,
            1,
            0x22,
            0,
            2,
            0x11,
            1,
            3,
            0x11,
            1,
            (byte) 0xff,
            (byte) 0xd9
        };
        // a complete-looking JPEG: the pixel cap must refuse it before any decoding
    }
}
