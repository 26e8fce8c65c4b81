package io.panoptes.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.app.cli.CommandRun;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.schemas.KafkaRecords;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.RepositoryRoot;
import io.panoptes.testkit.TestData;
import io.panoptes.testkit.TestVideos;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(240)
class WorkerCommandIT {

    private final CommandRun command = new CommandRun();
    private CliTopics cli;
    private String prefix;

    @BeforeEach
    void topics(KafkaCluster kafka) throws Exception {
        cli = new CliTopics(kafka, "cli-worker", 2);
        prefix = cli.prefix;
    }

    @AfterEach
    void stopRegistry() {
        cli.close();
    }

    @Test
    void shouldDetectFacesInItsOwnProcessAndStopCleanlyOnSigterm(
            KafkaCluster kafka, @TempDir Path dir) throws Exception {
        assertThat(
                        command.run(
                                "ingest",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--registry-url",
                                cli.registryUrl(),
                                "--prefix",
                                prefix,
                                "--source",
                                TestVideos.megamind().toString()))
                .as("%s", command.err())
                .isZero();
        ProcessBuilder worker =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-jar",
                                RepositoryRoot.find().resolve("app/target/panoptes.jar").toString(),
                                "worker",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--registry-url",
                                cli.registryUrl(),
                                "--prefix",
                                prefix,
                                "--group",
                                kafka.uniqueName("g"),
                                "--model",
                                "face", // bundled: no path, no family
                                "--model",
                                "coco")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("worker.log").toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        worker.environment().put("PANOPTES_CACHE_DIR", dir.toString());
        worker.environment().put("ORT_DISABLE_TELEMETRY", "1");
        Process running = worker.start();

        Topics topics = cli.topics;
        List<Detections> results =
                KafkaRecords.read(
                                kafka.bootstrapServers(),
                                topics.detections().name(),
                                271,
                                topics.detections().keySerde().deserializer(),
                                topics.detections().valueSerde().deserializer(),
                                CliTopics.WAIT)
                        .stream()
                        .map(r -> r.value())
                        .toList();
        running.destroy(); // SIGTERM

        assertThat(running.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(results).filteredOn(r -> r.getStatus() == DetectionStatus.OK).hasSize(270);
        assertThat(results)
                .filteredOn(r -> r.getStatus() == DetectionStatus.END_OF_STREAM)
                .hasSize(1);
        assertThat(Files.readString(dir.resolve("worker.log")))
                .contains("model face loaded")
                .contains(dir.resolve("models").toString()) // extracted from the jar into the cache
                .contains("worker stopped");
    }

    @Test
    void shouldExitNamingAModelThatCannotLoad(KafkaCluster kafka) {
        int exit =
                command.run(
                        "worker",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--registry-url",
                        cli.registryUrl(),
                        "--prefix",
                        prefix,
                        "--model",
                        "wrong",
                        "--model-path",
                        TestData.file(TestData.BRIGHT_SQUARE_YOLOV5).toString(),
                        "--model-family",
                        "yolov8");

        assertThat(exit).isEqualTo(1);
        assertThat(command.err())
                .contains("panoptes worker: model wrong (YOLOV8, ")
                .contains("got [1, 400, 7]");
    }

    @Test
    void shouldExitExplainingThatCudaIsNotAvailableHere(KafkaCluster kafka) {
        int exit =
                command.run(
                        "worker",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--registry-url",
                        cli.registryUrl(),
                        "--prefix",
                        prefix,
                        "--model",
                        "face",
                        "--model-path",
                        TestData.file(TestData.BLAZEFACE_FRONT).toString(),
                        "--model-family",
                        "blazeface",
                        "--device",
                        "cuda");

        assertThat(exit).isEqualTo(1);
        assertThat(command.err()).contains("--device cuda:0 cannot be used").contains("mvn -Pgpu");
    }

    @Test
    void shouldRefuseAModelUrlOnLoopbackUnlessAllowed(KafkaCluster kafka, @TempDir Path cache) {
        String url =
                "http://127.0.0.1:" + io.panoptes.testkit.LoopbackPorts.closed() + "/face.onnx";

        int exit =
                command.run(
                        "worker",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--registry-url",
                        cli.registryUrl(),
                        "--prefix",
                        prefix,
                        "--model",
                        "face",
                        "--model-path",
                        url,
                        "--model-sha256",
                        "d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51",
                        "--model-family",
                        "blazeface",
                        "--model-cache-dir",
                        cache.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(command.err())
                .contains("model face (" + url + ")")
                .contains("--allow-private-model-urls");
    }

    @Test
    void shouldRefuseAnUnknownFamilyOrPolicyInOneLine() {
        assertThat(
                        command.run(
                                "worker",
                                "--model",
                                "m",
                                "--model-path",
                                "m.onnx",
                                "--model-family",
                                "resnet"))
                .isEqualTo(1);
        assertThat(command.err()).contains("unknown model family 'resnet'").contains("BLAZEFACE");
        assertThat(
                        command.run(
                                "worker",
                                "--model",
                                "m",
                                "--model-path",
                                "m.onnx",
                                "--model-family",
                                "yolov8",
                                "--live-policy",
                                "sometimes"))
                .isEqualTo(1);
        assertThat(command.err()).contains("--live-policy must be latest or all, got 'sometimes'");
    }

    @Test
    void shouldNameTheBundledModelsWhenAModelHasNoPath() {
        assertThat(command.run("worker", "--model", "yolo")).isEqualTo(1);
        assertThat(command.err())
                .contains(
                        "--model yolo: give its file with --model-path (only [coco, face] are bundled)");
        assertThat(command.run("worker", "--model", "coco", "--model-family", "yolov8"))
                .isEqualTo(1);
        assertThat(command.err()).contains("--model coco: --model-family is for --model-path");
        assertThat(command.run("worker", "--model", "m", "--model-path", "m.onnx")).isEqualTo(1);
        assertThat(command.err())
                .contains("--model m: --model-family is required with --model-path");
    }
}
