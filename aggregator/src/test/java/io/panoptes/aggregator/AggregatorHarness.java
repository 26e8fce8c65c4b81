package io.panoptes.aggregator;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.aggregator.query.CountsQueryServer;
import io.panoptes.avro.Box;
import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.SourceKind;
import io.panoptes.avro.StageTimings;
import io.panoptes.avro.WindowCount;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.registry.SchemaRegistry;
import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.KafkaCluster;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Fresh topics, aggregator instances on them, a producer of results and read_committed readers of
 * the outputs.
 */
final class AggregatorHarness implements AutoCloseable {

    static final long T0 = 1_764_000_000_000L; // a whole 10 s boundary
    static final Duration WAIT = Duration.ofSeconds(90);

    final KafkaCluster kafka;
    final Topics topics;
    final String prefix;
    final String applicationId;
    private final List<AggregatorService> instances = new ArrayList<>();
    private final KafkaProducer<String, Detections> producer;

    AggregatorHarness(KafkaCluster kafka, SchemaRegistry registry, int partitions)
            throws Exception {
        this.kafka = kafka;
        this.prefix = kafka.uniqueName("agg") + ".";
        this.topics = Topics.create(prefix, registry);
        this.applicationId = kafka.uniqueName("aggregator");
        try (Admin admin = kafka.admin()) {
            new TopicAdmin(admin, Duration.ofSeconds(30))
                    .ensure(
                            TopicSettings.builder()
                                    .prefix(prefix)
                                    .framesPartitions(partitions)
                                    .partitions(partitions)
                                    .controlPartitions(1)
                                    .build()
                                    .specs());
        }
        Thread.sleep(1000); // let the new partitions' leaders settle before the first produce
        this.producer =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
                        topics.detections().keySerde().serializer(),
                        topics.detections().valueSerde().serializer());
    }

    static AggregatorSettings.Builder settings(Path stateDir) {
        return AggregatorSettings.builder()
                .stateDir(stateDir)
                .windows(
                        io.panoptes.aggregator.counting.WindowSpec.tumbling(
                                Duration.ofSeconds(10), Duration.ZERO));
    }

    AggregatorService start(AggregatorSettings.Builder settings, boolean queries) {
        CountsQueryServer server =
                queries
                        ? new CountsQueryServer(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                "127.0.0.1")
                        : null;
        AggregatorService instance =
                RoleService.started(
                        new AggregatorService(
                                settings.applicationId(applicationId).build(),
                                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                                topics,
                                new SimpleMeterRegistry(),
                                server));
        instances.add(instance);
        return instance;
    }

    void send(Detections result) {
        producer.send(
                new ProducerRecord<>(topics.detections().name(), result.getStreamId(), result));
    }

    void sendRaw(String key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> raw =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new org.apache.kafka.common.serialization.ByteArraySerializer(),
                        new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topics.detections().name(), key.getBytes(), value)).get();
        }
    }

    void flush() {
        producer.flush();
    }

    /**
     * One person pacing to and fro (so one track throughout), frame {@code seq} at T0 + seq ×
     * {@code stepMillis}.
     */
    static Detections walking(String stream, long seq, long stepMillis) {
        Detection person =
                new Detection(
                        0,
                        "person",
                        0.9f,
                        new Box(10f + seq % 20, 100f, 40f, 80f),
                        null,
                        List.of(),
                        java.util.List.of(),
                        null,
                        null);
        return result(stream, seq, T0 + seq * stepMillis, DetectionStatus.OK, List.of(person));
    }

    static Detections endOfStream(String stream, long seq, long millis) {
        return result(stream, seq, T0 + millis, DetectionStatus.END_OF_STREAM, List.of());
    }

    private static Detections result(
            String stream,
            long seq,
            long time,
            DetectionStatus status,
            List<Detection> detections) {
        return new Detections(
                stream,
                1L,
                seq,
                null,
                SourceKind.FILE,
                Instant.ofEpochMilli(time),
                Instant.ofEpochMilli(time + 20),
                new ModelRef("m", null),
                status,
                null,
                640,
                480,
                new ArrayList<>(detections),
                java.util.List.of(),
                new StageTimings(0f, 0f, 0f, 0f));
    }

    /**
     * Every committed record of {@code topic} up to its last stable offset, after waiting {@code
     * settle} for what is still being written (no group: partitions are assigned, so nothing waits
     * for a rebalance).
     */
    <V> List<ConsumerRecord<String, V>> readAll(
            String topic, Deserializer<V> values, Duration settle) {
        sleep(settle);
        Map<String, Object> config =
                Map.of(
                        "bootstrap.servers",
                        kafka.bootstrapServers(),
                        "isolation.level",
                        "read_committed");
        List<ConsumerRecord<String, V>> all = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer =
                new KafkaConsumer<>(
                        config,
                        new org.apache.kafka.common.serialization.StringDeserializer(),
                        values)) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "could not read " + topic + " to " + end + " within " + WAIT);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
        }
        return all;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<WindowCount> finalCounts(Duration quiet) {
        return readAll(topics.counts().name(), topics.counts().valueSerde().deserializer(), quiet)
                .stream()
                .map(ConsumerRecord::value)
                .filter(WindowCount::getFinal$)
                .toList();
    }

    @Override
    public void close() {
        instances.forEach(AggregatorService::close);
        producer.close();
    }
}
