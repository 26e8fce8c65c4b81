package io.panoptes.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.api.ApiServer;
import io.panoptes.api.ApiSettings;
import io.panoptes.api.ApiTestClient;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.ingest.IngestService;
import io.panoptes.ingest.IngestSettings;
import io.panoptes.ingest.pipeline.ControlSettings;
import io.panoptes.ingest.pipeline.PipelineController;
import io.panoptes.pipeline.source.SourcePolicy;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.TestTopics;
import io.panoptes.testkit.TestVideos;
import io.panoptes.worker.WorkerService;
import io.panoptes.worker.WorkerSettings;
import io.panoptes.worker.model.BundledModels;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole life of a pipeline: created, run, paused, resumed, replaced, terminated and deleted
 * through the API, run by an ingest instance; a model added through the API, run by a worker that
 * was started before it.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(240)
class ApiWithIngestIT {

    private static final String TOKEN = "test-token-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final KafkaCluster kafka;
    private IngestService ingest;
    private PipelineController controller;
    private ApiServer api;
    private ApiTestClient client;
    private Topics topics;
    private String workerGroup;

    ApiWithIngestIT(KafkaCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeEach
    void start() throws Exception {
        topics =
                TestTopics.create(
                        kafka,
                        "api",
                        b -> b.framesPartitions(2).partitions(3).controlPartitions(2));
        SourcePolicy sources = new SourcePolicy(List.of(TestVideos.megamind().getParent()), false);
        Map<String, Object> config = Map.of("bootstrap.servers", kafka.bootstrapServers());
        ingest =
                RoleService.started(
                        new IngestService(
                                IngestSettings.builder()
                                        .workerGroup(workerGroup = kafka.uniqueName("workers"))
                                        .fileLagBound(0)
                                        .build(),
                                config,
                                topics,
                                new SimpleMeterRegistry()));
        controller =
                RoleService.started(
                        new PipelineController(
                                ingest,
                                ControlSettings.defaults(sources)
                                        .withGroup(kafka.uniqueName("ingest"))
                                        .withInstanceId("ingest-a")
                                        .withStatusInterval(Duration.ofMillis(300)),
                                config,
                                topics,
                                new SimpleMeterRegistry()));
        api =
                RoleService.started(
                        new ApiServer(
                                ApiSettings.defaults(sources)
                                        .withAddress(new InetSocketAddress("127.0.0.1", 0))
                                        .withToken(Optional.of(TOKEN))
                                        .withKafkaTimeout(Duration.ofSeconds(20)),
                                config,
                                topics,
                                new SimpleMeterRegistry()));
        client = new ApiTestClient(api.url(), TOKEN);
    }

    @AfterEach
    void stop() {
        api.close();
        controller.close();
        ingest.close();
    }

    @Test
    void shouldCreateListGetPauseResumeReplaceTerminateAndDeletePipelines() throws Exception {
        HttpResponse<String> created =
                client.call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        """
                {"pipelineId": "door", "source": "%s", "maxFps": 5, "policy": "LATEST",
                 "zones": [{"name": "hall", "polygon": [{"x": 0, "y": 0}, {"x": 100, "y": 0}, {"x": 100, "y": 100}]}],
                 "lines": [{"name": "gate", "start": {"x": 0, "y": 50}, "end": {"x": 100, "y": 50}}],
                 "rules": [{"id": "crowd", "kind": "COUNT_THRESHOLD", "zone": "hall", "threshold": 3, "params": {"metric": "maxConcurrent"}}]}
                """
                                .formatted(TestVideos.megamind()));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("ETag")).contains("\"1\"");
        assertThat(created.headers().firstValue("Location")).contains("/v1/pipelines/door");
        assertThat(ApiTestClient.json(created).at("/spec/zones/0/polygon/2/x").asDouble())
                .isEqualTo(100);

        JsonNode running = client.awaitState("door", 1, "RUNNING", WAIT);
        assertThat(running.at("/status/owner").asText()).isEqualTo("ingest-a");
        assertThat(
                        ApiTestClient.json(client.call("GET", "/v1/pipelines", null, null))
                                .at("/pipelines/0/spec/pipelineId")
                                .asText())
                .isEqualTo("door");
        assertThat(
                        client.call(
                                        "POST",
                                        "/v1/pipelines",
                                        null,
                                        "{\"pipelineId\": \"door\", \"source\": \""
                                                + TestVideos.vtest()
                                                + "\"}")
                                .statusCode())
                .as("an id in use")
                .isEqualTo(409);

        HttpResponse<String> paused =
                client.call("POST", "/v1/pipelines/door/pause", "\"1\"", null);
        assertThat(paused.headers().firstValue("ETag")).contains("\"2\"");
        client.awaitState("door", 2, "PAUSED", WAIT);
        HttpResponse<String> stale =
                client.call("POST", "/v1/pipelines/door/resume", "\"1\"", null);
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(ApiTestClient.json(stale).get("error").asText()).contains("version 2, not 1");
        assertThat(client.call("POST", "/v1/pipelines/door/resume", "\"2\"", null).statusCode())
                .isEqualTo(200);
        client.awaitState("door", 3, "RUNNING", WAIT);

        String replacement = "{\"source\": \"" + TestVideos.vtest() + "\", \"maxFps\": 2}";
        assertThat(client.call("PUT", "/v1/pipelines/door", null, replacement).statusCode())
                .as("PUT needs If-Match")
                .isEqualTo(428);
        HttpResponse<String> replaced =
                client.call("PUT", "/v1/pipelines/door", "\"3\"", replacement);
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        assertThat(ApiTestClient.json(replaced).at("/spec/source").asText()).endsWith("vtest.avi");
        assertThat(ApiTestClient.json(replaced).at("/spec/zones").size())
                .as("PUT replaces the whole spec")
                .isZero();
        client.awaitState("door", 4, "RUNNING", WAIT);

        assertThat(client.call("POST", "/v1/pipelines/door/terminate", null, null).statusCode())
                .isEqualTo(200);
        assertThat(client.awaitState("door", 5, "ENDED", WAIT).at("/status/reason").asText())
                .isEqualTo("terminated");
        await().atMost(WAIT).until(() -> ingest.streams().isEmpty());

        assertThat(
                        client.call(
                                        "POST",
                                        "/v1/pipelines",
                                        null,
                                        "{\"pipelineId\": \"door\", \"source\": \""
                                                + TestVideos.vtest()
                                                + "\"}")
                                .headers()
                                .firstValue("ETag"))
                .as("a terminated id may be created again")
                .contains("\"6\"");
        assertThat(client.call("DELETE", "/v1/pipelines/door", null, null).statusCode())
                .isEqualTo(204);
        assertThat(client.call("GET", "/v1/pipelines/door", null, null).statusCode())
                .isEqualTo(404);
        await().atMost(WAIT).until(() -> ingest.streams().isEmpty());
    }

    @Test
    void shouldRunAModelAddedThroughTheApiOnAWorkerAlreadyRunning() throws Exception {
        try (WorkerService worker =
                RoleService.started(
                        new WorkerService(
                                WorkerSettings.builder()
                                        .groupId(workerGroup)
                                        .model(BundledModels.FACE.config())
                                        .build(),
                                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                                topics,
                                new SimpleMeterRegistry()))) {
            HttpResponse<String> model =
                    client.call(
                            "PUT",
                            "/v1/models/people",
                            null,
                            "{\"source\": \"bundled:coco\", \"family\": \"centernet\","
                                    + " \"confidence\": 0.35}");
            assertThat(model.statusCode()).as(model.body()).isEqualTo(201);
            HttpResponse<String> created =
                    client.call(
                            "POST",
                            "/v1/pipelines",
                            null,
                            "{\"pipelineId\": \"street\", \"source\": \"%s\", \"maxFps\": 5,"
                                            .formatted(TestVideos.vtest())
                                    + " \"model\": \"people\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

            List<Detections> results = new java.util.ArrayList<>();
            try (KafkaConsumer<String, Detections> consumer =
                    new KafkaConsumer<>(
                            Map.of(
                                    "bootstrap.servers",
                                    kafka.bootstrapServers(),
                                    "group.id",
                                    kafka.uniqueName("reader"),
                                    "auto.offset.reset",
                                    "earliest",
                                    "isolation.level",
                                    "read_committed"),
                            topics.detections().keySerde().deserializer(),
                            topics.detections().valueSerde().deserializer())) {
                consumer.subscribe(List.of(topics.detections().name()));
                await().atMost(WAIT)
                        .until(
                                () -> {
                                    consumer.poll(Duration.ofMillis(200))
                                            .forEach(r -> results.add(r.value()));
                                    return results.size() >= 3;
                                });
            }
            assertThat(results)
                    .allSatisfy(
                            r -> {
                                assertThat(r.getStatus()).isEqualTo(DetectionStatus.OK);
                                assertThat(r.getModel().getId()).isEqualTo("people");
                                assertThat(r.getPipelineId()).isEqualTo("street");
                            });
            assertThat(results.get(0).getDetections())
                    .as("pedestrians in the first frames of vtest.avi")
                    .anyMatch(d -> d.getLabel().equals("person"));
            client.call("POST", "/v1/pipelines/street/terminate", null, null);
            await().atMost(WAIT).until(() -> ingest.streams().isEmpty());
        }
    }
}
