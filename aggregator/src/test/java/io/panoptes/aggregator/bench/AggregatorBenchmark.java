package io.panoptes.aggregator.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.aggregator.AggregatorService;
import io.panoptes.aggregator.AggregatorSettings;
import io.panoptes.aggregator.counting.WindowSpec;
import io.panoptes.aggregator.internal.state.StreamAggregate;
import io.panoptes.avro.Box;
import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.SourceKind;
import io.panoptes.avro.StageTimings;
import io.panoptes.kafka.embedded.EmbeddedKafkaBroker;
import io.panoptes.pipeline.geometry.Geometry;
import io.panoptes.pipeline.geometry.ShapeText;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.BenchmarkMachine;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Aggregator throughput (Kafka Streams, exactly-once, RocksDB state, its default threads and
 * batches) against a plain loop that deserializes the same detections and runs the same per-stream
 * code (ordering, tracking, zones, lines, windows) without Kafka, in one run, each over at least 30
 * s. Target ≥ 0.5×.
 *
 * <p>Run: {@code scripts/benchmark.sh aggregator [streams] [frames-per-stream]}.
 */
public final class AggregatorBenchmark {

    private static final double TARGET = 0.5;
    private static final int PEOPLE = 5;

    public static void main(String[] args) throws Exception {
        int streams = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 6000;
        Topics topics = Topics.create("bench.", new InMemorySchemaRegistry());
        Map<String, Geometry> geometry = new HashMap<>();
        List<byte[]> values = new ArrayList<>(streams * frames);
        List<String> keys = new ArrayList<>(streams * frames);
        for (int stream = 0; stream < streams; stream++) {
            geometry.putAll(
                    ShapeText.parse(
                            List.of("cam-" + stream + ":middle=200,100,440,100,440,380,200,380"),
                            List.of("cam-" + stream + ":gate=320,0,320,480")));
        }
        for (int seq = 0; seq < frames; seq++) {
            for (int stream = 0; stream < streams; stream++) {
                keys.add("cam-" + stream);
                values.add(
                        topics.detections()
                                .valueSerde()
                                .serializer()
                                .serialize(
                                        topics.detections().name(), result("cam-" + stream, seq)));
            }
        }
        AggregatorSettings.Builder settings =
                AggregatorSettings.builder()
                        .windows(
                                WindowSpec.tumbling(Duration.ofSeconds(10), Duration.ofSeconds(1)));
        geometry.forEach(settings::geometry);
        AggregatorSettings built =
                settings.stateDir(Files.createTempDirectory("aggregator-bench")).build();

        plainLoop(built, topics, values, 5, false); // warm-up
        double plain = plainLoop(built, topics, values, 30, false);
        double withState = plainLoop(built, topics, values, 10, true);
        System.out.printf(
                Locale.ROOT,
                "plain loop that also serializes each stream's state after each result: %.0f results/s%n",
                withState);
        double streamed = streamsRuns(settings, topics, keys, values, 30);
        double ratio = streamed / plain;
        System.out.printf(
                Locale.ROOT,
                "aggregator %.0f results/s vs plain loop %.0f results/s over %d results (%d streams, %d people"
                        + " each): %.2fx (target >= %.1f) %s%n",
                streamed,
                plain,
                values.size(),
                streams,
                PEOPLE,
                ratio,
                TARGET,
                ratio >= TARGET ? "PASS" : "FAIL");
        System.out.println(BenchmarkMachine.line());
        System.exit(ratio >= TARGET ? 0 : 1);
    }

    /**
     * Five people per frame, each walking its own way across the frame and back, 10 frames a
     * second.
     */
    private static Detections result(String stream, long seq) {
        List<Detection> people = new ArrayList<>();
        for (int p = 0; p < PEOPLE; p++) {
            float x = 20 + (seq * (2 + p) + 97L * p) % 560;
            people.add(
                    new Detection(
                            0,
                            "person",
                            0.8f,
                            new Box(x, 40f + 80 * p, 40f, 70f),
                            null,
                            List.of(),
                            java.util.List.of(),
                            null,
                            null));
        }
        Instant time = Instant.now().minusSeconds(3600).plusMillis(100 * seq);
        return new Detections(
                stream,
                1L,
                seq,
                null,
                SourceKind.FILE,
                time,
                time,
                new ModelRef("bench", null),
                DetectionStatus.OK,
                null,
                640,
                480,
                people,
                java.util.List.of(),
                new StageTimings(0f, 0f, 0f, 0f));
    }

    /**
     * The same per-stream work without Kafka: passes over the results until {@code seconds} have
     * gone by.
     */
    private static double plainLoop(
            AggregatorSettings settings,
            Topics topics,
            List<byte[]> values,
            double seconds,
            boolean serializeState) {
        io.panoptes.aggregator.internal.state.StateSerde state =
                new io.panoptes.aggregator.internal.state.StateSerde(
                        topics.detections().valueSerde(), topics.detections().name());
        Deserializer<Detections> deserializer = topics.detections().valueSerde().deserializer();
        long start = System.nanoTime();
        long results = 0;
        long sink = 0;
        while (System.nanoTime() - start < seconds * 1e9) {
            Map<String, StreamAggregate> aggregates = new HashMap<>();
            for (byte[] value : values) {
                Detections result = deserializer.deserialize(topics.detections().name(), value);
                String stream = result.getStreamId();
                Geometry shapes = settings.geometry().getOrDefault(stream, Geometry.NONE);
                StreamAggregate aggregate =
                        aggregates.computeIfAbsent(
                                stream,
                                s ->
                                        StreamAggregate.start(
                                                settings.streamSettings(), s, null, shapes));
                StreamAggregate.Output output =
                        aggregate.accept(result, shapes, System.currentTimeMillis());
                sink += output.tracked().size() + output.closed().size();
                if (serializeState) {
                    sink += state.serializer().serialize("state", aggregate.state()).length;
                }
                results++;
            }
        }
        if (sink < 0) {
            System.out.print("");
        }
        return results / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Loads the results into a 4-partition topic once, then runs the aggregator through all of them
     * again and again (a new application id each time, so each run reads the topic from the start
     * with empty state): warm-up runs for {@code seconds} of processing (the plain loop is warmed
     * up too), then runs until at least {@code seconds} of processing are timed, each from its
     * first result to its last. Results per second over the timed runs.
     */
    private static double streamsRuns(
            AggregatorSettings.Builder settings,
            Topics topics,
            List<String> keys,
            List<byte[]> values,
            double seconds)
            throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            Map<String, Object> kafka =
                    new HashMap<>(Map.of("bootstrap.servers", broker.bootstrapServers()));
            System.getProperties().stringPropertyNames().stream()
                    .filter(name -> name.startsWith("kafka."))
                    .forEach(
                            name ->
                                    kafka.put(
                                            name.substring("kafka.".length()),
                                            System.getProperty(
                                                    name))); // e.g. -Dkafka.num.stream.threads=1
            System.out.println("aggregator config: " + kafka);
            try (Admin admin = Admin.create(kafka)) {
                new TopicAdmin(admin, Duration.ofSeconds(30))
                        .ensure(
                                TopicSettings.builder()
                                        .prefix("bench.")
                                        .framesPartitions(4)
                                        .partitions(4)
                                        .controlPartitions(1)
                                        .build()
                                        .specs());
            }
            Thread.sleep(2000); // let the leaders settle
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(
                            Map.of(
                                    "bootstrap.servers",
                                    broker.bootstrapServers(),
                                    "linger.ms",
                                    20,
                                    "batch.size",
                                    256 * 1024),
                            new ByteArraySerializer(),
                            new ByteArraySerializer())) {
                for (int i = 0; i < values.size(); i++) {
                    producer.send(
                            new ProducerRecord<>(
                                    topics.detections().name(),
                                    keys.get(i).getBytes(),
                                    values.get(i)));
                }
            }
            double warm = 0; // Kafka Streams' code paths take about as long as the timed part to be
            // compiled by the JIT
            for (int run = 1; warm < seconds; run++) {
                warm += timedRun(settings, "warm-up-" + run, kafka, topics, values.size());
            }
            double timed = 0;
            long results = 0;
            for (int run = 1; timed < seconds; run++) {
                double took = timedRun(settings, "run-" + run, kafka, topics, values.size());
                System.out.printf(
                        Locale.ROOT,
                        "aggregator run %d: %.0f results/s%n",
                        run,
                        values.size() / took);
                timed += took;
                results += values.size();
            }
            return results / timed;
        }
    }

    /**
     * Seconds the aggregator takes from its first result to its last, with its own application id
     * and state.
     */
    private static double timedRun(
            AggregatorSettings.Builder settings,
            String run,
            Map<String, Object> kafka,
            Topics topics,
            int count)
            throws Exception {
        AggregatorSettings runSettings =
                settings.applicationId("bench-" + run)
                        .stateDir(Files.createTempDirectory("aggregator-bench"))
                        .build();
        try (AggregatorService aggregator =
                RoleService.started(
                        new AggregatorService(
                                runSettings, kafka, topics, new SimpleMeterRegistry(), null))) {
            while (aggregator.metrics().resultsCount() == 0) {
                if (aggregator.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException(
                            "aggregator failed: " + aggregator.failure().orElse("unknown"));
                }
                Thread.sleep(1);
            }
            long start = System.nanoTime();
            long lastProgress = start;
            double last = 0;
            while (aggregator.metrics().resultsCount() < count) {
                Thread.sleep(10);
                double now = aggregator.metrics().resultsCount();
                if (now > last) {
                    last = now;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > 60e9) {
                    throw new IllegalStateException(
                            "aggregator stalled at " + now + " of " + count);
                }
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }
}
