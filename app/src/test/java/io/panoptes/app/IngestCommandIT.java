package io.panoptes.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.panoptes.app.cli.CommandRun;
import io.panoptes.avro.Frame;
import io.panoptes.schemas.KafkaRecords;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.LiveServer;
import io.panoptes.testkit.LoopbackPorts;
import io.panoptes.testkit.RepositoryRoot;
import io.panoptes.testkit.TestVideos;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(180)
class IngestCommandIT {

    private final CommandRun command = new CommandRun();
    private CliTopics cli;
    private String prefix;

    @BeforeEach
    void topics(KafkaCluster kafka) throws Exception {
        cli = new CliTopics(kafka, "cli-ingest", 1);
        prefix = cli.prefix;
    }

    @AfterEach
    void stopRegistry() {
        cli.close();
    }

    @Test
    void shouldIngestAFileAndExitWhenItEnds(KafkaCluster kafka) {
        int exit =
                command.run(
                        "ingest",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--registry-url",
                        cli.registryUrl(),
                        "--prefix",
                        prefix,
                        "--source",
                        TestVideos.megamind().toString(),
                        "--stream-id",
                        "mm");

        assertThat(exit).as(command.err()).isZero();
        assertThat(frames(kafka, 271))
                .last()
                .satisfies(r -> assertThat(r.value().getEndOfStream()).isTrue());
    }

    @Test
    void shouldExitNonZeroNamingASourceThatFailedWhileTheOthersComplete(
            KafkaCluster kafka, @TempDir Path dir) throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.mp4"));

        int exit =
                command.run(
                        "ingest",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--registry-url",
                        cli.registryUrl(),
                        "--prefix",
                        prefix,
                        "--source",
                        empty.toString(),
                        "--source",
                        TestVideos.megamind().toString(),
                        "--stream-id",
                        "mm");

        assertThat(exit).isEqualTo(1);
        assertThat(command.err()).contains("stream empty failed: cannot open " + empty);
        assertThat(frames(kafka, 271)).extracting(r -> r.value().getStreamId()).containsOnly("mm");
    }

    @Test
    void shouldRefuseToStartWithoutTheFramesTopic(KafkaCluster kafka) {
        int exit =
                command.run(
                        "ingest",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--registry-url",
                        cli.registryUrl(),
                        "--prefix",
                        "missing.",
                        "--source",
                        TestVideos.megamind().toString());

        assertThat(exit).isEqualTo(1);
        assertThat(command.err())
                .contains("topic missing.frames does not exist")
                .contains("panoptes topics create");
    }

    @Test
    void shouldValidateOptionsInOneLine() {
        assertThat(command.run("ingest", "--source", "x.avi", "--jpeg-quality", "0")).isEqualTo(1);
        assertThat(command.err()).contains("JPEG quality must be in [1, 100], got 0");
        assertThat(command.run("ingest", "--max-fps", "5")).isEqualTo(2);
    }

    @Test
    void shouldStopALiveIngestCleanlyOnSigterm(KafkaCluster kafka, @TempDir Path dir)
            throws Exception {
        try (LiveServer camera =
                LiveServer.mjpeg(TestVideos.megamind(), LoopbackPorts.closed()).start()) {
            Process ingest =
                    new ProcessBuilder(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-jar",
                                    RepositoryRoot.find()
                                            .resolve("app/target/panoptes.jar")
                                            .toString(),
                                    "ingest",
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--registry-url",
                                    cli.registryUrl(),
                                    "--prefix",
                                    prefix,
                                    "--source",
                                    camera.url(),
                                    "--stream-id",
                                    "cam")
                            .redirectErrorStream(true)
                            .redirectOutput(dir.resolve("out.txt").toFile())
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                            .start();
            await().atMost(CliTopics.WAIT)
                    .until(() -> Files.readString(dir.resolve("out.txt")).contains("RUNNING"));
            List<ConsumerRecord<String, Frame>> some = frames(kafka, 10);

            ingest.destroy(); // SIGTERM
            assertThat(ingest.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(dir.resolve("out.txt"));
            assertThat(log).contains("ingest stopped");
            assertThat(some).extracting(r -> r.value().getStreamId()).containsOnly("cam");
        }
    }

    private List<ConsumerRecord<String, Frame>> frames(KafkaCluster kafka, int count) {
        Topics topics = cli.topics;
        return KafkaRecords.read(
                kafka.bootstrapServers(),
                topics.frames().name(),
                count,
                topics.frames().keySerde().deserializer(),
                topics.frames().valueSerde().deserializer(),
                CliTopics.WAIT);
    }
}
