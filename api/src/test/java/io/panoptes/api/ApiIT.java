package io.panoptes.api;

import static io.panoptes.api.ApiTestClient.assertRefused;
import static io.panoptes.api.ApiTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Event;
import io.panoptes.avro.EventKind;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.ModelSpec;
import io.panoptes.avro.SourceKind;
import io.panoptes.avro.StageTimings;
import io.panoptes.avro.WindowCount;
import io.panoptes.pipeline.source.SourcePolicy;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.KafkaRecords;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.SystemTools;
import io.panoptes.testkit.TestTopics;
import io.panoptes.testkit.TestVideos;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The API over real HTTP on a real broker: refusals, authentication, results as Server-Sent Events,
 * a Python client. The whole life of a pipeline with an ingest instance running it is the app's
 * {@code ApiWithIngestIT}.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(240)
class ApiIT {

    private static final String TOKEN = "test-token-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaCluster kafka;
    private final HttpClient http = HttpClient.newHttpClient();
    private Topics topics;
    private ApiServer api;
    private ApiTestClient client;

    ApiIT(KafkaCluster kafka) {
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
        api =
                RoleService.started(
                        new ApiServer(
                                ApiSettings.defaults(sources)
                                        .withAddress(new InetSocketAddress("127.0.0.1", 0))
                                        .withToken(Optional.of(TOKEN))
                                        .withAggregator(
                                                Optional.of(URI.create("http://127.0.0.1:9")))
                                        .withKafkaTimeout(Duration.ofSeconds(20))
                                        .withMaxResultStreams(4),
                                config,
                                topics,
                                new SimpleMeterRegistry()));
        client = new ApiTestClient(api.url(), TOKEN);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void shouldRefuseBadRequestsNamingTheField() throws Exception {
        String video = TestVideos.vtest().toString();
        assertRefused(call("POST", "/v1/pipelines", null, "{not json"), 400, "body");
        assertRefused(call("POST", "/v1/pipelines", null, "[1, 2]"), 400, "body");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \"" + video + "\", \"fps\": 3}"),
                400,
                "fps");
        assertRefused(
                call("POST", "/v1/pipelines", null, "{\"source\": \"" + video + "\"}"),
                400,
                "pipelineId");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"../etc\", \"source\": \"" + video + "\"}"),
                400,
                "pipelineId");
        assertRefused(
                call("POST", "/v1/pipelines", null, "{\"pipelineId\": \"a\"}"), 400, "source");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \"/etc/passwd\"}"),
                400,
                "source");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \"rtsp://10.0.0.7/cam\"}"),
                400,
                "source");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \"" + video + "\", \"maxFps\": -1}"),
                400,
                "maxFps");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \"" + video + "\", \"maxFps\": 1e9}"),
                400,
                "maxFps");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \""
                                + video
                                + "\", \"policy\": \"SOMETIMES\"}"),
                400,
                "policy");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \""
                                + video
                                + "\", \"zones\": [{\"name\": \"bow\","
                                + " \"polygon\": [{\"x\": 0, \"y\": 0}, {\"x\": 10, \"y\": 10}, {\"x\": 10, \"y\": 0}, {\"x\": 0, \"y\": 10}]}]}"),
                400,
                "zones[0].polygon");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \""
                                + video
                                + "\", \"lines\": [{\"name\": \"dot\","
                                + " \"start\": {\"x\": 5, \"y\": 5}, \"end\": {\"x\": 5, \"y\": 5}}]}"),
                400,
                "lines[0]");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \""
                                + video
                                + "\", \"lines\": [{\"name\": \"l\","
                                + " \"start\": [0, 0], \"end\": {\"x\": 5, \"y\": 5}}]}"),
                400,
                "lines[0].start");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \""
                                + video
                                + "\", \"rules\": [{\"id\": \"r\","
                                + " \"kind\": \"DWELL\", \"zone\": \"nowhere\", \"durationMillis\": 1000}]}"),
                400,
                "rules[0].zone");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \""
                                + video
                                + "\", \"desiredState\": \"TERMINATED\"}"),
                400,
                "desiredState");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \""
                                + video
                                + "\", \"x\": \""
                                + "y".repeat(2 << 20)
                                + "\"}"),
                413,
                "body");
        assertRefused(
                call(
                        "POST",
                        "/v1/pipelines",
                        null,
                        "{\"pipelineId\": \"a\", \"source\": \""
                                + video
                                + "\", \"lines\": ["
                                + "{\"name\": \"l\"},".repeat(1000)
                                + "{\"name\": \"l\"}]}"),
                400,
                "lines");
        assertRefused(
                send(
                        request("/v1/pipelines")
                                .header("Content-Type", "text/plain")
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))),
                415,
                "Content-Type");

        assertRefused(call("GET", "/v1/pipelines/ghost", null, null), 404, null);
        assertRefused(call("POST", "/v1/pipelines/ghost/pause", null, null), 404, null);
        assertRefused(call("GET", "/v1/pipelines/ghost/results", null, null), 404, null);
        assertRefused(call("PATCH", "/v1/pipelines/ghost", null, "{}"), 405, null);
        assertRefused(call("POST", "/v1/pipelines/ghost/explode", null, null), 404, null);
        assertRefused(call("GET", "/v2/everything", null, null), 404, null);
        assertRefused(
                call("PUT", "/v1/pipelines/ghost", "\"x\"", "{\"source\": \"" + video + "\"}"),
                400,
                "If-Match");
        HttpResponse<String> counts = call("GET", "/v1/counts?stream=door", null, null);
        assertThat(counts.statusCode()).isEqualTo(502);
        assertThat(json(counts).get("error").asText()).contains("http://127.0.0.1:9");
        assertThat(call("GET", "/v1/pipelines", null, null).statusCode())
                .as("nothing was created")
                .isEqualTo(200);
        assertThat(json(call("GET", "/v1/pipelines", null, null)).get("pipelines")).isEmpty();
    }

    @Test
    void shouldKeepModelsOnTheModelsTopicWithVersionsAndRefuseBadOnes() throws Exception {
        String squares =
                "{\"source\": \"/models/bright.onnx\", \"family\": \"yolov8\","
                        + " \"labels\": [\"bright\", \"dark\"], \"confidence\": 0.5}";
        HttpResponse<String> created = call("PUT", "/v1/models/squares", null, squares);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("ETag")).hasValue("\"1\"");
        assertThat(json(created).at("/spec/task").asText()).isEqualTo("DETECT");

        HttpResponse<String> replaced = call("PUT", "/v1/models/squares", "\"1\"", squares);
        assertThat(replaced.statusCode()).isEqualTo(200);
        assertThat(replaced.headers().firstValue("ETag")).hasValue("\"2\"");
        assertRefused(call("PUT", "/v1/models/squares", "\"1\"", squares), 409, "If-Match");
        assertRefused(call("PUT", "/v1/models/other", "\"1\"", squares), 404, null);
        JsonNode listed = json(call("GET", "/v1/models", null, null));
        assertThat(listed.at("/models/0/spec/modelId").asText()).isEqualTo("squares");
        assertThat(listed.at("/models/0/spec/labels/1").asText()).isEqualTo("dark");
        ModelSpec onTopic =
                KafkaRecords.read(
                                kafka.bootstrapServers(),
                                topics.models().name(),
                                2,
                                topics.models().keySerde().deserializer(),
                                topics.models().valueSerde().deserializer(),
                                WAIT)
                        .get(1)
                        .value();
        assertThat(onTopic.getVersion()).isEqualTo(2);
        assertThat(onTopic.getConfidence()).isEqualTo(0.5f);

        String[][] bad = {
            {"{\"source\": \"/m.onnx\", \"family\": \"yolov8\", \"size\": 3}", "size"},
            {"{\"source\": \"https://example.com/m.onnx\", \"family\": \"yolov8\"}", "sha256"},
            {"{\"source\": \"models/m.onnx\", \"family\": \"yolov8\"}", "source"},
            {"{\"source\": \"s3://bucket/m.onnx\", \"family\": \"yolov8\"}", "source"},
            {"{\"source\": \"/m.onnx\", \"family\": \"resnet\"}", "family"},
            {"{\"source\": \"/m.onnx\"}", "family"},
            {"{\"source\": \"/m.onnx\", \"family\": \"centernet\", \"task\": \"pose\"}", "task"},
            {"{\"source\": \"/m.onnx\", \"family\": \"yolov8\", \"confidence\": 2}", "confidence"},
            {
                "{\"source\": \"/m.onnx\", \"family\": \"yolov8\", \"inputWidth\": 640}",
                "inputHeight"
            },
            {"{\"source\": \"/m.onnx\", \"family\": \"yolov8\", \"labels\": [1]}", "labels[0]"},
            {"{\"modelId\": \"x\", \"source\": \"/m.onnx\", \"family\": \"yolov8\"}", "modelId"},
            {"[]", "body"}
        };
        for (String[] request : bad) {
            assertRefused(call("PUT", "/v1/models/m", null, request[0]), 400, request[1]);
        }
        assertRefused(call("PUT", "/v1/models/..", null, squares), 400, "modelId");

        assertThat(call("DELETE", "/v1/models/squares", "\"2\"", null).statusCode()).isEqualTo(204);
        assertRefused(call("GET", "/v1/models/squares", null, null), 404, null);
        assertRefused(call("DELETE", "/v1/models/squares", null, null), 404, null);
        assertThat(json(call("GET", "/v1/models", null, null)).get("models")).isEmpty();
    }

    @Test
    void shouldRequireTheBearerTokenButNotForHealthAndOpenApi() throws Exception {
        HttpResponse<String> missing =
                send(HttpRequest.newBuilder(api.url().resolve("/v1/pipelines")).GET());
        assertRefused(missing, 401, "Authorization");
        assertThat(missing.headers().firstValue("WWW-Authenticate"))
                .contains("Bearer realm=\"panoptes\"");
        assertRefused(
                send(
                        HttpRequest.newBuilder(api.url().resolve("/v1/pipelines"))
                                .header("Authorization", "Bearer wrong-token-0123456789")
                                .GET()),
                401,
                "Authorization");

        HttpResponse<String> openApi =
                send(HttpRequest.newBuilder(api.url().resolve("/openapi.json")).GET());
        assertThat(openApi.statusCode()).isEqualTo(200);
        JsonNode paths = JSON.readTree(openApi.body()).get("paths");
        assertThat(paths.fieldNames())
                .toIterable()
                .contains(
                        "/v1/pipelines",
                        "/v1/pipelines/{id}",
                        "/v1/pipelines/{id}/pause",
                        "/v1/pipelines/{id}/resume",
                        "/v1/pipelines/{id}/terminate",
                        "/v1/pipelines/{id}/results",
                        "/v1/counts");
        assertThat(send(HttpRequest.newBuilder(api.url().resolve("/health")).GET()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void shouldStreamAPipelinesResultsAsServerSentEventsAndResumeAfterReconnecting()
            throws Exception {
        assertThat(
                        call(
                                        "POST",
                                        "/v1/pipelines",
                                        null,
                                        "{\"pipelineId\": \"yard\", \"source\": \""
                                                + TestVideos.vtest()
                                                + "\", \"desiredState\": \"PAUSED\"}")
                                .statusCode())
                .isEqualTo(201);
        try (KafkaProducer<String, Detections> detections =
                        producer(topics.detections().valueSerde().serializer());
                KafkaProducer<String, WindowCount> counts =
                        producer(topics.counts().valueSerde().serializer());
                KafkaProducer<String, Event> events =
                        producer(topics.events().valueSerde().serializer())) {
            for (long seq = 0; seq < 3; seq++) {
                detections.send(
                        new ProducerRecord<>(
                                topics.detections().name(), "yard", result("yard", seq)));
                detections.send(
                        new ProducerRecord<>(
                                topics.detections().name(), "other", result("other", seq)));
            }
            counts.send(
                    new ProducerRecord<>(topics.counts().name(), "yard/person//0", count("yard")));
            counts.send(
                    new ProducerRecord<>(
                            topics.counts().name(), "other/person//0", count("other")));
            events.send(new ProducerRecord<>(topics.events().name(), "yard", event("yard"))).get();
            detections.flush();
            counts.flush();

            List<Sse> first = readEvents("/v1/pipelines/yard/results?from=earliest", null, 5);
            assertThat(first)
                    .extracting(Sse::event)
                    .containsExactlyInAnyOrder(
                            "detections", "detections", "detections", "count", "event");
            assertThat(first)
                    .allSatisfy(
                            e ->
                                    assertThat(JSON.readTree(e.data()).get("streamId").asText())
                                            .isEqualTo("yard"));
            assertThat(first)
                    .filteredOn(e -> e.event().equals("detections"))
                    .extracting(e -> JSON.readTree(e.data()).get("seq").asLong())
                    .containsExactly(0L, 1L, 2L);
            String lastId = first.get(first.size() - 1).id();

            for (long seq = 3; seq < 5; seq++) { // while the client is away
                detections
                        .send(
                                new ProducerRecord<>(
                                        topics.detections().name(), "yard", result("yard", seq)))
                        .get();
            }
            List<Sse> resumed = readEvents("/v1/pipelines/yard/results", lastId, 2);
            assertThat(resumed)
                    .as("resumed after %s: %s", lastId, first)
                    .extracting(e -> JSON.readTree(e.data()).get("seq").asLong())
                    .containsExactly(3L, 4L);
        }
        assertRefused(
                send(
                        request("/v1/pipelines/yard/results")
                                .header("Last-Event-ID", "garbage")
                                .GET()),
                400,
                "Last-Event-ID");
    }

    @Test
    void shouldServeAPythonClient() throws Exception {
        SystemTools.requireExecutable(
                java.nio.file.Path.of("/usr/bin/python3"),
                "/usr/bin/python3 with requests: apt-get install python3-requests");
        try (KafkaProducer<String, Detections> detections =
                producer(topics.detections().valueSerde().serializer())) {
            for (long seq = 0; seq < 2; seq++) {
                detections
                        .send(
                                new ProducerRecord<>(
                                        topics.detections().name(), "py", result("py", seq)))
                        .get();
            }
        }
        String script =
                String.join(
                        "\n",
                        "import json, requests, sys",
                        "api, token, video = sys.argv[1:4]",
                        "auth = {'Authorization': 'Bearer ' + token}",
                        "r = requests.post(api + '/v1/pipelines', json={'pipelineId': 'py', 'source': video, 'desiredState': 'PAUSED'},"
                                + " headers=auth, timeout=30)",
                        "print(r.status_code, r.headers['ETag'])",
                        "bad = requests.post(api + '/v1/pipelines', json={'pipelineId': 'py2', 'source': video, 'maxFps': 'fast'},"
                                + " headers=auth, timeout=30)",
                        "print(bad.status_code, bad.json()['field'])",
                        "seqs = []",
                        "with requests.get(api + '/v1/pipelines/py/results?from=earliest', headers=auth, stream=True, timeout=30) as s:",
                        "    for line in s.iter_lines(decode_unicode=True):",
                        "        if line.startswith('data: '):",
                        "            seqs.append(json.loads(line[6:])['seq'])",
                        "        if len(seqs) == 2:",
                        "            break",
                        "print(seqs)");
        Process python =
                new ProcessBuilder(
                                "/usr/bin/python3",
                                "-c",
                                script,
                                api.url().toString(),
                                TOKEN,
                                TestVideos.vtest().toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(python.getInputStream().readAllBytes()).trim();

        assertThat(python.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("201 \"1\"\n400 maxFps\n[0, 1]");
    }

    private record Sse(String id, String event, String data) {}

    /** Reads {@code count} events with a real streaming HTTP client, then hangs up. */
    private List<Sse> readEvents(String path, String lastEventId, int count) throws Exception {
        HttpRequest.Builder request = request(path).GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response =
                http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        List<Sse> events = new ArrayList<>();
        try (BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            String data = null;
            for (String line; events.size() < count && (line = reader.readLine()) != null; ) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                } else if (line.isEmpty() && data != null) {
                    events.add(new Sse(id, event, data));
                    data = null;
                }
            }
        }
        return events;
    }

    private HttpResponse<String> call(String method, String path, String ifMatch, String body)
            throws Exception {
        return client.call(method, path, ifMatch, body);
    }

    private HttpRequest.Builder request(String path) {
        return client.request(path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request);
    }

    private <V> KafkaProducer<String, V> producer(Serializer<V> values) {
        return new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringSerializer(),
                values);
    }

    private static Detections result(String stream, long seq) {
        Instant t = Instant.ofEpochMilli(1_700_000_000_000L + seq * 40);
        return new Detections(
                stream,
                1L,
                seq,
                stream,
                SourceKind.FILE,
                t,
                t.plusMillis(20),
                new ModelRef("m", null),
                DetectionStatus.OK,
                null,
                640,
                480,
                new ArrayList<>(),
                java.util.List.of(),
                new StageTimings(0f, 0f, 0f, 0f));
    }

    private static WindowCount count(String stream) {
        return WindowCount.newBuilder()
                .setStreamId(stream)
                .setPipelineId(stream)
                .setLabel("person")
                .setWindowStart(Instant.ofEpochMilli(0))
                .setWindowEnd(Instant.ofEpochMilli(60_000))
                .setUniqueTracks(2)
                .setFinal$(true)
                .build();
    }

    private static Event event(String stream) {
        return Event.newBuilder()
                .setEventId("e-1")
                .setRuleId("crowd")
                .setStreamId(stream)
                .setPipelineId(stream)
                .setTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setKind(EventKind.COUNT_THRESHOLD)
                .build();
    }
}
