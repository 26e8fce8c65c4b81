package io.panoptes.api.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.api.ApiServer;
import io.panoptes.api.ApiSettings;
import io.panoptes.avro.Box;
import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.SourceKind;
import io.panoptes.avro.StageTimings;
import io.panoptes.kafka.embedded.EmbeddedKafkaBroker;
import io.panoptes.pipeline.source.SourcePolicy;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.json.AvroJson;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.BenchmarkMachine;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A pipeline's results as Server-Sent Events ({@code GET /v1/pipelines/{id}/results?from=earliest})
 * against a plain Kafka consumer doing the same work in the same JVM: assign the detections, counts
 * and events partitions, read committed records from the start, decode them, keep the pipeline's,
 * write each as a line of JSON. Results of two pipelines (half each) are in the topics; both sides
 * stop after the pipeline's last one. Rounds alternate; the figure is the median.
 *
 * <p>Run: {@code scripts/benchmark.sh sse [records] [rounds]}.
 */
public final class SseBenchmark {

    private static final String PIPELINE = "bench";
    private static final String TOKEN = "sse-benchmark-token-0123";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path sources = Files.createTempDirectory("sse-bench");
        Path video =
                Files.writeString(sources.resolve("video.mp4"), "not read: the pipeline is paused");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
            Topics topics = topics(kafka);
            produce(kafka, topics, records);
            try (ApiServer api = api(kafka, topics, sources)) {
                create(api, video);
                HttpClient http = HttpClient.newHttpClient();
                int expected = records / 2;
                viaSse(http, api, expected); // warm-up
                viaConsumer(kafka, topics, expected);
                double[] sse = new double[rounds];
                double[] plain = new double[rounds];
                for (int round = 0; round < rounds; round++) {
                    plain[round] = viaConsumer(kafka, topics, expected);
                    sse[round] = viaSse(http, api, expected);
                    System.out.printf(
                            Locale.ROOT,
                            "round %d: SSE %.0f events/s, plain consumer %.0f records/s%n",
                            round + 1,
                            sse[round],
                            plain[round]);
                }
                double ratio = median(sse) / median(plain);
                System.out.printf(
                        Locale.ROOT,
                        "SSE %.0f events/s vs plain consumer %.0f records/s: %.2fx (%d of %d records"
                                + " are the pipeline's)%n",
                        median(sse),
                        median(plain),
                        ratio,
                        expected,
                        records);
            }
        }
        System.out.println(BenchmarkMachine.line());
    }

    private static Topics topics(Map<String, Object> kafka) throws Exception {
        String prefix = "sse-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (Admin admin = Admin.create(kafka)) {
            new TopicAdmin(admin, Duration.ofSeconds(30))
                    .ensure(
                            TopicSettings.builder()
                                    .prefix(prefix)
                                    .partitions(3)
                                    .controlPartitions(1)
                                    .build()
                                    .specs());
        }
        Thread.sleep(2000); // let the new partitions' leaders settle
        return Topics.create(prefix, new InMemorySchemaRegistry());
    }

    private static void produce(Map<String, Object> kafka, Topics topics, int records)
            throws Exception {
        try (KafkaProducer<String, Detections> producer =
                new KafkaProducer<>(
                        kafka,
                        new StringSerializer(),
                        topics.detections().valueSerde().serializer())) {
            for (int i = 0; i < records; i++) {
                String stream = i % 2 == 0 ? PIPELINE : "other";
                producer.send(
                        new ProducerRecord<>(
                                topics.detections().name(), stream, result(stream, i / 2)));
            }
            producer.flush();
        }
    }

    private static Detections result(String stream, long seq) {
        Instant t = Instant.ofEpochMilli(1_700_000_000_000L + seq * 40);
        List<Detection> boxes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            boxes.add(
                    Detection.newBuilder()
                            .setClassId(0)
                            .setLabel("person")
                            .setConfidence(0.8f)
                            .setBox(new Box(10f * i, 20f, 50f, 80f))
                            .build());
        }
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
                boxes,
                java.util.List.of(),
                new StageTimings(0f, 1f, 5f, 1f));
    }

    private static ApiServer api(Map<String, Object> kafka, Topics topics, Path sources) {
        return RoleService.started(
                new ApiServer(
                        ApiSettings.defaults(new SourcePolicy(List.of(sources), false))
                                .withAddress(
                                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                                .withToken(Optional.of(TOKEN))
                                .withKafkaTimeout(Duration.ofSeconds(20))
                                .withMaxResultStreams(16),
                        kafka,
                        topics,
                        new SimpleMeterRegistry()));
    }

    private static void create(ApiServer api, Path video) throws Exception {
        HttpResponse<String> created =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(api.url().resolve("/v1/pipelines"))
                                        .header("Authorization", "Bearer " + TOKEN)
                                        .header("Content-Type", "application/json")
                                        .POST(
                                                HttpRequest.BodyPublishers.ofString(
                                                        "{\"pipelineId\": \""
                                                                + PIPELINE
                                                                + "\", \"source\": \""
                                                                + video
                                                                + "\", \"desiredState\": \"PAUSED\"}"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("cannot create the pipeline: " + created.body());
        }
    }

    /** Events per second until the pipeline's last result arrived, from the request on. */
    private static double viaSse(HttpClient http, ApiServer api, int expected) throws Exception {
        long start = System.nanoTime();
        HttpResponse<InputStream> response =
                http.send(
                        HttpRequest.newBuilder(
                                        api.url()
                                                .resolve(
                                                        "/v1/pipelines/"
                                                                + PIPELINE
                                                                + "/results?from=earliest"))
                                .header("Authorization", "Bearer " + TOKEN)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        int events = 0;
        try (BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; events < expected && (line = reader.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    events++;
                }
            }
        }
        if (events < expected) {
            throw new IllegalStateException(
                    "the stream ended after " + events + " of " + expected + " events");
        }
        return expected / ((System.nanoTime() - start) / 1e9);
    }

    /** The same work with a plain consumer: records of the pipeline per second, as JSON lines. */
    private static double viaConsumer(Map<String, Object> kafka, Topics topics, int expected)
            throws Exception {
        long start = System.nanoTime();
        Map<String, Object> config = new java.util.HashMap<>(kafka);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        int matched = 0;
        long bytes = 0;
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(
                        config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic :
                    List.of(
                            topics.detections().name(),
                            topics.counts().name(),
                            topics.events().name())) {
                consumer.partitionsFor(topic, Duration.ofSeconds(15))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (matched < expected) {
                for (ConsumerRecord<String, byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    Detections value =
                            topics.detections()
                                    .valueSerde()
                                    .deserializer()
                                    .deserialize(record.topic(), record.value());
                    if (PIPELINE.equals(value.getPipelineId())) {
                        bytes += JSON.writeValueAsString(AvroJson.toMap(value)).length();
                        matched++;
                    }
                }
            }
        }
        if (bytes == 0) {
            throw new IllegalStateException("nothing was read");
        }
        return expected / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
