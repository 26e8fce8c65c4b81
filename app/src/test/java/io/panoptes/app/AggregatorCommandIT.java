package io.panoptes.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.panoptes.app.cli.CommandRun;
import io.panoptes.avro.Box;
import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.SourceKind;
import io.panoptes.avro.StageTimings;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.RepositoryRoot;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(240)
class AggregatorCommandIT {

    private final CommandRun command = new CommandRun();

    @Test
    void shouldCountCrossingsOfAConfiguredLineServeThemAndStopCleanlyOnSigterm(
            KafkaCluster kafka, @TempDir Path dir) throws Exception {
        try (CliTopics cli = new CliTopics(kafka, "cli-aggregator", 1)) {
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Process aggregator =
                    new ProcessBuilder(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-jar",
                                    RepositoryRoot.find()
                                            .resolve("app/target/panoptes.jar")
                                            .toString(),
                                    "aggregator",
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--registry-url",
                                    cli.registryUrl(),
                                    "--prefix",
                                    cli.prefix,
                                    "--application-id",
                                    kafka.uniqueName("agg"),
                                    "--state-dir",
                                    dir.resolve("state").toString(),
                                    "--window",
                                    "10s",
                                    "--grace",
                                    "0s",
                                    "--line",
                                    "cam:gate=300,0,300,480",
                                    "--query-port",
                                    String.valueOf(port),
                                    "--metrics-port",
                                    "0")
                            .redirectErrorStream(true)
                            .redirectOutput(dir.resolve("aggregator.log").toFile())
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                            .start();
            produceWalk(kafka, cli);
            HttpClient http = HttpClient.newHttpClient();
            URI counts = URI.create("http://127.0.0.1:" + port + "/v1/counts?stream=cam");
            await().atMost(CliTopics.WAIT)
                    .ignoreExceptions()
                    .until(
                            () ->
                                    http.send(
                                                    HttpRequest.newBuilder(counts).build(),
                                                    HttpResponse.BodyHandlers.ofString())
                                            .body()
                                            .contains("\"final\":true"));
            String body =
                    http.send(
                                    HttpRequest.newBuilder(counts).build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body();

            aggregator.destroy(); // SIGTERM
            assertThat(aggregator.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(aggregator.exitValue())
                    .as("the JVM's status after SIGTERM and its shutdown hooks")
                    .isEqualTo(143);
            assertThat(body)
                    .contains("\"framesSeen\":30")
                    .contains("\"uniqueTracks\":1")
                    .matches(".*\"line(In|Out)\":1.*");
            assertThat(Files.readString(dir.resolve("aggregator.log")))
                    .contains("aggregator REBALANCING -> RUNNING")
                    .contains("aggregator stopped");
        }
    }

    @Test
    void shouldTurnALineCrossingIntoAnEventThatTheActionsRoleWritesToAFile(
            KafkaCluster kafka, @TempDir Path dir) throws Exception {
        try (CliTopics cli = new CliTopics(kafka, "cli-rules", 1)) {
            Path rules =
                    Files.writeString(
                            dir.resolve("rules.yaml"),
                            "rules:\n  - {id: through-gate, kind: LINE_CROSSING, line: gate}\n");
            Path events = dir.resolve("events.jsonl");
            Process aggregator =
                    panoptes(
                            dir.resolve("aggregator.log"),
                            "aggregator",
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--registry-url",
                            cli.registryUrl(),
                            "--prefix",
                            cli.prefix,
                            "--application-id",
                            kafka.uniqueName("agg"),
                            "--state-dir",
                            dir.resolve("state").toString(),
                            "--line",
                            "cam:gate=300,0,300,480",
                            "--rules",
                            rules.toString(),
                            "--query-port",
                            "0");
            Process actions =
                    panoptes(
                            dir.resolve("actions.log"),
                            "actions",
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--registry-url",
                            cli.registryUrl(),
                            "--prefix",
                            cli.prefix,
                            "--group",
                            kafka.uniqueName("sinks"),
                            "--file",
                            events.toString());
            try {
                produceWalk(kafka, cli);
                await().atMost(CliTopics.WAIT)
                        .until(() -> Files.exists(events) && !Files.readAllLines(events).isEmpty());
                assertThat(Files.readAllLines(events))
                        .singleElement()
                        .satisfies(
                                line ->
                                        assertThat(line)
                                                .contains(
                                                        "\"type\":\"panoptes.event.line_crossing\"")
                                                .contains("\"ruleId\":\"through-gate\"")
                                                .contains("\"line\":\"gate\""));
            } finally {
                aggregator.destroy();
                actions.destroy();
                assertThat(aggregator.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(actions.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(Files.readString(dir.resolve("actions.log")))
                    .contains("action sinks stopped");
        }
    }

    @Test
    void shouldRefuseActionsWithoutADestinationOrWithAPrivateWebhook() {
        assertThat(command.run("actions")).isEqualTo(1);
        assertThat(command.err())
                .contains(
                        "panoptes actions: nothing to deliver to: give --webhook URL or --file FILE");
        assertThat(
                        command.run(
                                "actions",
                                "--webhook",
                                "http://127.0.0.1:9/hook",
                                "--webhook-secret",
                                "s"))
                .isEqualTo(1);
        assertThat(command.err()).contains("resolves to the local or private address 127.0.0.1");
        assertThat(command.run("actions", "--webhook", "http://hooks.example.com/x")).isEqualTo(1);
        assertThat(command.err()).contains("--webhook needs --webhook-secret");
    }

    private static Process panoptes(Path log, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-jar",
                                RepositoryRoot.find()
                                        .resolve("app/target/panoptes.jar")
                                        .toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--metrics-port", "0"));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }

    private static void produceWalk(KafkaCluster kafka, CliTopics cli) {
        try (KafkaProducer<String, Detections> producer =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        cli.topics.detections().keySerde().serializer(),
                        cli.topics.detections().valueSerde().serializer())) {
            for (int seq = 0; seq < 30; seq++) { // walks right over the line at x = 300
                producer.send(
                        new ProducerRecord<>(
                                cli.topics.detections().name(),
                                "cam",
                                result(seq, DetectionStatus.OK)));
            }
            producer.send(
                    new ProducerRecord<>(
                            cli.topics.detections().name(),
                            "cam",
                            result(30, DetectionStatus.END_OF_STREAM)));
        }
    }

    @Test
    void shouldRefuseAnInvalidZoneOrLineOrRuleNamingIt(@TempDir Path dir) throws Exception {
        Path rules =
                Files.writeString(
                        dir.resolve("rules.yaml"),
                        "rules:\n  - {id: r, kind: ZONE_ENTER, zone: nowhere}\n");
        assertThat(command.run("aggregator", "--rules", rules.toString())).isEqualTo(1);
        assertThat(command.err()).contains("rule 'r': unknown zone 'nowhere'");
        assertThat(command.run("aggregator", "--zone", "cam:bow=0,0,10,10,10,0,0,10")).isEqualTo(1);
        assertThat(command.err())
                .contains(
                        "panoptes aggregator: zone 'bow' intersects itself: edge 0 crosses edge 2");
        assertThat(command.run("aggregator", "--line", "cam:dot=5,5,5,5")).isEqualTo(1);
        assertThat(command.err()).contains("line 'dot' has zero length");
        assertThat(command.run("aggregator", "--line", "no-stream-or-name")).isEqualTo(1);
        assertThat(command.err())
                .contains("line 'no-stream-or-name' is not STREAM:NAME=x1,y1,x2,y2,...");
    }

    private static Detections result(int seq, DetectionStatus status) {
        Instant time = Instant.now();
        List<Detection> people =
                status == DetectionStatus.OK
                        ? List.of(
                                new Detection(
                                        0,
                                        "person",
                                        0.9f,
                                        new Box(100f + 10 * seq, 100f, 40f, 80f),
                                        null,
                                        List.of(),
                                        java.util.List.of(),
                                        null,
                                        null))
                        : List.of();
        return new Detections(
                "cam",
                1L,
                (long) seq,
                null,
                SourceKind.FILE,
                time,
                time,
                new ModelRef("m", null),
                status,
                null,
                640,
                480,
                new ArrayList<>(people),
                java.util.List.of(),
                new StageTimings(0f, 0f, 0f, 0f));
    }
}
