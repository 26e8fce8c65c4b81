package io.panoptes.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.panoptes.app.cli.CommandRun;
import io.panoptes.schemas.SampleRecords;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(120)
class InferAndConsumeIT {

    private final CommandRun command = new CommandRun();

    @Test
    void shouldInferFacesInAnImageWithTheBundledModel() throws Exception {
        assertThat(command.run("infer", TestData.file(TestData.MEGAMIND_FRAME_030_PNG).toString()))
                .as(command.err())
                .isZero();

        JsonNode face = new ObjectMapper().readTree(command.out()).path("detections").get(0);
        double cx =
                face.path("box").path("x").asDouble() + face.path("box").path("w").asDouble() / 2;
        double cy =
                face.path("box").path("y").asDouble() + face.path("box").path("h").asDouble() / 2;
        assertThat(Math.hypot(cx - 293, cy - 272)).isLessThan(10);
        assertThat(face.path("label").asText()).isEqualTo("face");
    }

    @Test
    void shouldFindPeopleWithTheBundledCocoModelByName() throws Exception {
        assertThat(
                        command.run(
                                "infer",
                                TestData.file(TestData.VTEST_FRAME_000_JPG).toString(),
                                "--model",
                                "coco"))
                .as(command.err())
                .isZero();

        JsonNode detections = new ObjectMapper().readTree(command.out()).path("detections");
        long persons = 0;
        for (JsonNode d : detections) {
            persons += d.path("label").asText().equals("person") ? 1 : 0;
        }
        assertThat(persons).isBetween(3L, 8L);
    }

    @Test
    void shouldRefuseAModelThatIsNeitherBundledNorAFile() {
        String image = TestData.file(TestData.VTEST_FRAME_000_JPG).toString();

        assertThat(command.run("infer", image, "--model", "yolo11")).isEqualTo(1);
        assertThat(command.err())
                .contains("--model yolo11: no such file, and not a bundled model [coco, face]");
        assertThat(command.run("infer", image, "--model", "coco", "--model-family", "yolov8"))
                .isEqualTo(1);
        assertThat(command.err()).contains("--model-family is for an ONNX file");
    }

    @Test
    void shouldNameAnImageItCannotRead(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image");
        byte[] png = TestData.bytes(TestData.WHITE_SQUARE_PNG);
        Path truncated =
                Files.write(dir.resolve("cut.png"), java.util.Arrays.copyOf(png, png.length / 3));

        assertThat(command.run("infer", dir.resolve("gone.jpg").toString())).isEqualTo(1);
        assertThat(command.err())
                .contains(
                        "panoptes infer: cannot read "
                                + dir.resolve("gone.jpg")
                                + ": no such file");
        assertThat(command.run("infer", text.toString())).isEqualTo(1);
        assertThat(command.err())
                .contains("cannot read " + text + ": it is neither a JPEG nor a PNG");
        assertThat(command.run("infer", truncated.toString())).isEqualTo(1);
        assertThat(command.err()).contains("cannot decode " + truncated).contains("truncated");
    }

    @Test
    void shouldPrintEachResultTopicReadably(KafkaCluster kafka) throws Exception {
        try (CliTopics cli = new CliTopics(kafka, "cli-consume", 1)) {
            send(
                    kafka,
                    cli.topics.detections().name(),
                    cli.topics.detections().valueSerde().serializer(),
                    "cam-1",
                    SampleRecords.detections(7));
            send(
                    kafka,
                    cli.topics.counts().name(),
                    cli.topics.counts().valueSerde().serializer(),
                    "cam-1/person/-/0",
                    SampleRecords.windowCount());
            send(
                    kafka,
                    cli.topics.events().name(),
                    cli.topics.events().valueSerde().serializer(),
                    "cam-1",
                    SampleRecords.event());
            String[] common = {
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--registry-url",
                cli.registryUrl(),
                "--prefix",
                cli.prefix,
                "--from-beginning",
                "--max",
                "1"
            };

            assertThat(command.run(concat(new String[] {"consume", "detections"}, common)))
                    .as(command.err())
                    .isZero();
            assertThat(command.out()).contains("cam-1 #7 OK | face 0.93");
            command.clear();
            assertThat(command.run(concat(new String[] {"consume", "counts"}, common))).isZero();
            assertThat(command.out()).contains("unique").contains("final");
            command.clear();
            assertThat(command.run(concat(new String[] {"consume", "events", "--json"}, common)))
                    .isZero();
            assertThat(new ObjectMapper().readTree(command.out()).path("eventId").asText())
                    .isEqualTo(SampleRecords.event().getEventId());
            send(
                    kafka,
                    cli.topics.detections().name(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer(),
                    "cam-1",
                    "not avro".getBytes());
            command.clear();
            assertThat(
                            command.run(
                                    "consume",
                                    "detections",
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--registry-url",
                                    cli.registryUrl(),
                                    "--prefix",
                                    cli.prefix,
                                    "--from-beginning",
                                    "--max",
                                    "2"))
                    .isZero();
            assertThat(command.out())
                    .as("a bad record is named and the next one still printed")
                    .contains("cam-1 #7 OK")
                    .contains("unreadable record at " + cli.topics.detections().name() + "-")
                    .contains(" offset 1: cannot deserialize");
            assertThat(command.run(concat(new String[] {"consume", "frames"}, common)))
                    .isEqualTo(1);
            assertThat(command.err())
                    .contains("consume what? detections, tracks, counts or events, not 'frames'");
        }
    }

    private static <V> void send(
            KafkaCluster kafka, String topic, Serializer<V> values, String key, V value)
            throws Exception {
        try (KafkaProducer<String, V> producer =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new org.apache.kafka.common.serialization.StringSerializer(),
                        values)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
