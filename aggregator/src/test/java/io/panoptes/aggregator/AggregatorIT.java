package io.panoptes.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.topics.DeadLetters;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(300)
class AggregatorIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void shouldAnswerCountsQueriesFromTheOwningInstanceOfTwo(
            KafkaCluster kafka, @TempDir Path dirA, @TempDir Path dirB) throws Exception {
        try (AggregatorHarness harness =
                new AggregatorHarness(kafka, new InMemorySchemaRegistry(), 4)) {
            AggregatorService a = harness.start(AggregatorHarness.settings(dirA), true);
            AggregatorService b = harness.start(AggregatorHarness.settings(dirB), true);
            await().atMost(AggregatorHarness.WAIT)
                    .until(
                            () ->
                                    a.state() == KafkaStreams.State.RUNNING
                                            && b.state() == KafkaStreams.State.RUNNING);
            harness.sendRaw("cam-0", "not a detections record".getBytes());
            for (int stream = 0; stream < 8; stream++) {
                for (int seq = 0; seq < 30; seq++) {
                    harness.send(AggregatorHarness.walking("cam-" + stream, seq, 1000));
                }
                harness.send(AggregatorHarness.endOfStream("cam-" + stream, 30, 30_000));
            }
            for (int seq = 0; seq < 3; seq++) {
                harness.send(
                        AggregatorHarness.walking(
                                "open", seq, 1000)); // no end: its window stays open
            }
            harness.flush();

            assertThat(harness.finalCounts(Duration.ofSeconds(5)))
                    .hasSize(8 * 3)
                    .allSatisfy(c -> assertThat(c.getFramesSeen()).isEqualTo(10));

            Set<String> answeredBy = new HashSet<>();
            URI base = URI.create("http://" + a.queryHost());
            for (int stream = 0; stream < 8; stream++) {
                JsonNode answer =
                        get(base.resolve("/v1/counts?stream=cam-" + stream + "&label=person"), 200);
                answeredBy.add(answer.path("answeredBy").asText());
                assertThat(answer.path("counts"))
                        .hasSize(3)
                        .allSatisfy(
                                row -> {
                                    assertThat(row.path("final").asBoolean()).isTrue();
                                    assertThat(row.path("uniqueTracks").asInt()).isEqualTo(1);
                                });
            }
            assertThat(answeredBy).as("both instances own streams; A forwarded to B").hasSize(2);
            JsonNode open = get(base.resolve("/v1/counts?stream=open"), 200);
            assertThat(open.path("counts"))
                    .singleElement()
                    .satisfies(
                            row -> {
                                assertThat(row.path("final").asBoolean()).isFalse();
                                assertThat(row.path("framesSeen").asInt()).isEqualTo(3);
                            });
            JsonNode window =
                    get(
                            base.resolve(
                                    "/v1/counts?stream=cam-1&from="
                                            + (AggregatorHarness.T0 + 10_000)
                                            + "&to=2025-11-24T16:00:20Z"),
                            200);
            assertThat(window.path("counts")).hasSize(1);
            assertThat(get(base.resolve("/v1/counts?stream=nobody"), 200).path("counts")).isEmpty();
            assertThat(get(base.resolve("/v1/counts"), 400).path("error").asText())
                    .contains("'stream' is required");
            assertThat(
                            get(base.resolve("/v1/counts?stream=cam-1&from=yesterday"), 400)
                                    .path("error")
                                    .asText())
                    .contains(
                            "'from' must be an ISO-8601 instant or epoch millis, got 'yesterday'");

            List<ConsumerRecord<String, byte[]>> dead =
                    harness.readAll(
                            harness.topics.dlq().name(),
                            new ByteArrayDeserializer(),
                            Duration.ofSeconds(2));
            assertThat(dead)
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(new String(r.value()))
                                        .isEqualTo("not a detections record");
                                assertThat(DeadLetters.header(r.headers(), DeadLetters.STAGE))
                                        .isEqualTo("aggregator");
                                assertThat(
                                                DeadLetters.header(
                                                        r.headers(), DeadLetters.ERROR_MESSAGE))
                                        .contains("not the magic byte");
                            });
        }
    }

    private JsonNode get(URI uri, int status) throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(uri).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return json.readTree(response.body());
    }
}
