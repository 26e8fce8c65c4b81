package io.panoptes.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Frame;
import io.panoptes.avro.FrameEncoding;
import io.panoptes.avro.SourceKind;
import io.panoptes.kafka.embedded.SchemaRegistryServer;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.registry.RestSchemaRegistryClient;
import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.SystemTools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python's confluent_kafka (Debian's python3-confluent-kafka) writes a Frame through our
 * HTTP-served registry and reads a Detections that Java wrote. Skipped, saying what to install,
 * where /usr/bin/python3 or those packages are missing; .ci/run installs them.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(180)
class PythonInteropIT {

    private static final String PYTHON = "/usr/bin/python3";

    @Test
    void shouldExchangeRecordsWithPython(KafkaCluster kafka, @TempDir Path dir) throws Exception {
        SystemTools.require(
                pythonHasPackages(),
                PYTHON
                        + " with confluent_kafka, avro and requests:"
                        + " apt-get install python3-confluent-kafka python3-avro python3-requests");
        try (SchemaRegistryServer registry =
                        SchemaRegistryServer.start(new InMemorySchemaRegistry());
                Admin admin = kafka.admin()) {
            String prefix = kafka.uniqueName("py") + ".";
            Topics topics =
                    Topics.create(prefix, RestSchemaRegistryClient.of(registry.url().toString()));
            new TopicAdmin(admin, Duration.ofSeconds(30))
                    .ensure(
                            TopicSettings.builder()
                                    .prefix(prefix)
                                    .framesPartitions(1)
                                    .partitions(1)
                                    .build()
                                    .specs());
            try (KafkaProducer<String, io.panoptes.avro.Detections> producer =
                    new KafkaProducer<>(
                            Map.of("bootstrap.servers", kafka.bootstrapServers()),
                            topics.detections().keySerde().serializer(),
                            topics.detections().valueSerde().serializer())) {
                producer.send(
                                new ProducerRecord<>(
                                        topics.detections().name(),
                                        "cam-1",
                                        SampleRecords.detections(9)))
                        .get();
            }
            Path schema = dir.resolve("Frame.avsc");
            Files.writeString(schema, Frame.getClassSchema().toString());

            String output =
                    runPython(
                            dir,
                            kafka.bootstrapServers(),
                            registry.url().toString(),
                            topics.frames().name(),
                            topics.detections().name(),
                            schema.toString());

            assertThat(registry.registry().subjects()).contains(topics.frames().name() + "-value");
            JsonNode read = new ObjectMapper().readTree(output);
            assertThat(read.path("key").asText()).isEqualTo("cam-1");
            assertThat(read.path("value").path("seq").asLong()).isEqualTo(9);
            assertThat(read.path("value").path("status").asText())
                    .isEqualTo(DetectionStatus.OK.name());
            assertThat(read.path("value").path("detections").get(0).path("label").asText())
                    .isEqualTo("face");
            assertThat(
                            read.path("value")
                                    .path("detections")
                                    .get(0)
                                    .path("box")
                                    .path("w")
                                    .asDouble())
                    .isEqualTo(125.0);

            List<ConsumerRecord<String, Frame>> frames =
                    KafkaRecords.read(
                            kafka.bootstrapServers(),
                            topics.frames().name(),
                            1,
                            topics.frames().keySerde().deserializer(),
                            topics.frames().valueSerde().deserializer(),
                            Duration.ofSeconds(30));
            Frame frame = frames.get(0).value();
            assertThat(frames.get(0).key()).isEqualTo("py-cam");
            assertThat(frame.getStreamId()).isEqualTo("py-cam");
            assertThat(frame.getSeq()).isEqualTo(41);
            assertThat(frame.getSourceKind()).isEqualTo(SourceKind.FILE);
            assertThat(frame.getEncoding()).isEqualTo(FrameEncoding.RAW_BGR24);
            assertThat(frame.getPayload().remaining()).isEqualTo(6);
            assertThat(frame.getPipelineId()).isEqualTo("py-pipeline");
            assertThat(frame.getCaptureTime())
                    .isBetween(java.time.Instant.now().minusSeconds(120), java.time.Instant.now());
        }
    }

    private static boolean pythonHasPackages() throws InterruptedException {
        try {
            Process check =
                    new ProcessBuilder(PYTHON, "-c", "import confluent_kafka.avro, avro, requests")
                            .redirectErrorStream(true)
                            .start();
            return check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static String runPython(Path dir, String... args) throws Exception {
        Path script = dir.resolve("interop.py");
        try (InputStream in = PythonInteropIT.class.getResourceAsStream("/python/interop.py")) {
            Files.copy(in, script);
        }
        List<String> command = new java.util.ArrayList<>(List.of(PYTHON, script.toString()));
        command.addAll(List.of(args));
        Process python =
                new ProcessBuilder(command)
                        .redirectError(dir.resolve("stderr.txt").toFile())
                        .start();
        String stdout =
                new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        boolean done = python.waitFor(120, TimeUnit.SECONDS);
        String stderr = Files.readString(dir.resolve("stderr.txt"));
        assertThat(done).as("python finished; stderr: %s", stderr).isTrue();
        assertThat(python.exitValue()).as("python exit code; stderr: %s", stderr).isZero();
        return stdout;
    }
}
