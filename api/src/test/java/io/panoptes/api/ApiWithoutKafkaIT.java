package io.panoptes.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.pipeline.source.SourcePolicy;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The API without Kafka, or without its topics: unhealthy and 503s that say why, and it recovers by
 * itself.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(120)
class ApiWithoutKafkaIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldSayKafkaCannotBeReached() throws Exception {
        try (ApiServer api =
                api("127.0.0.1:1", Topics.create("nowhere.", new InMemorySchemaRegistry()))) {
            assertThat(post(api).statusCode()).isEqualTo(503);
            assertThat(post(api).body()).contains("is not reading yet");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> get(api, "/health").body().contains("cannot reach Kafka"));
            assertThat(get(api, "/health").statusCode()).isEqualTo(503);
            assertThat(post(api).body()).contains("cannot reach Kafka to read nowhere.pipelines");
        }
    }

    @Test
    void shouldSayTheTopicsAreMissingThenServeOnceTheyExist(KafkaCluster kafka) throws Exception {
        String prefix = kafka.uniqueName("late") + ".";
        Topics topics = Topics.create(prefix, new InMemorySchemaRegistry());
        try (ApiServer api = api(kafka.bootstrapServers(), topics)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(
                            () ->
                                    get(api, "/health")
                                            .body()
                                            .contains("does not exist (create the topics first)"));
            try (org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
                new io.panoptes.schemas.topics.TopicAdmin(admin, Duration.ofSeconds(30))
                        .ensure(
                                io.panoptes.schemas.topics.TopicSettings.builder()
                                        .prefix(prefix)
                                        .framesPartitions(1)
                                        .partitions(1)
                                        .controlPartitions(1)
                                        .build()
                                        .specs());
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> get(api, "/health").statusCode() == 200);
            assertThat(get(api, "/v1/pipelines").body()).isEqualTo("{\"pipelines\":[]}");
        }
    }

    private static ApiServer api(String bootstrap, Topics topics) {
        return RoleService.started(
                new ApiServer(
                        ApiSettings.defaults(new SourcePolicy(List.of(), false))
                                .withAddress(new InetSocketAddress("127.0.0.1", 0))
                                .withKafkaTimeout(Duration.ofSeconds(5))
                                .withMaxResultStreams(2),
                        Map.of("bootstrap.servers", bootstrap),
                        topics,
                        new SimpleMeterRegistry()));
    }

    private HttpResponse<String> get(ApiServer api, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(api.url().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(ApiServer api) throws Exception {
        return http.send(
                HttpRequest.newBuilder(api.url().resolve("/v1/pipelines"))
                        .header("Content-Type", "application/json")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        "{\"pipelineId\": \"p\", \"source\": \"rtsp://93.184.215.14/cam\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
