package io.panoptes.worker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.KafkaRecords;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.TestData;
import io.panoptes.testkit.TestTopics;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Fresh topics, workers on them, and read_committed readers of the results; the app's tests fill
 * them with the real ingest.
 */
final class WorkerHarness implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(90);

    final KafkaCluster kafka;
    final Topics topics;
    final String group;
    private final List<WorkerService> workers = new ArrayList<>();

    WorkerHarness(KafkaCluster kafka, int framesPartitions) throws Exception {
        this.kafka = kafka;
        // new leaders settle before the first produce (TestTopics): a fresh partition's idempotent
        // producer was
        // seen looping on OUT_OF_ORDER_SEQUENCE_NUMBER
        this.topics =
                TestTopics.create(
                        kafka,
                        "worker",
                        b ->
                                b.framesPartitions(framesPartitions)
                                        .partitions(1)
                                        .controlPartitions(1));
        this.group = kafka.uniqueName("workers");
    }

    static ModelConfig blazeFace() {
        return ModelConfig.of(
                "blazeface", TestData.file(TestData.BLAZEFACE_FRONT), ModelFamily.BLAZEFACE);
    }

    static ModelConfig brightSquare() {
        return ModelConfig.of(
                        "bright", TestData.file(TestData.BRIGHT_SQUARE_YOLOV8), ModelFamily.YOLOV8)
                .withLabels(List.of("bright", "dark"))
                .withThresholds(0.5f, 0.45f);
    }

    /** The bright-square model with a dynamic batch dimension, for batching across streams. */
    static ModelConfig brightSquareBatched() {
        return ModelConfig.of(
                        "bright-batched",
                        TestData.file(TestData.BRIGHT_SQUARE_YOLOV8_DYNBATCH),
                        ModelFamily.YOLOV8)
                .withLabels(List.of("bright", "dark"))
                .withThresholds(0.5f, 0.45f)
                .withMaxDetections(400); // all 400 cells: 4 bright and 396 dark, each with score 1
    }

    /** A 640x640 FILE frame of {@code png}, of a pipeline and naming a model (each may be null). */
    static Frame pngFrame(String stream, long seq, byte[] png, String pipelineId, String modelId) {
        return Frame.newBuilder()
                .setStreamId(stream)
                .setEpoch(1)
                .setSeq(seq)
                .setSourceKind(io.panoptes.avro.SourceKind.FILE)
                .setCaptureTime(java.time.Instant.now())
                .setIngestTime(java.time.Instant.now())
                .setWidth(640)
                .setHeight(640)
                .setEncoding(io.panoptes.avro.FrameEncoding.PNG)
                .setPayload(java.nio.ByteBuffer.wrap(png))
                .setPipelineId(pipelineId)
                .setModelId(modelId)
                .build();
    }

    WorkerService worker(UnaryOperator<WorkerSettings.Builder> settings) {
        return worker(settings, topics);
    }

    /** A worker reading {@code workerTopics}: these topics through another registry. */
    WorkerService worker(UnaryOperator<WorkerSettings.Builder> settings, Topics workerTopics) {
        WorkerService worker =
                RoleService.started(
                        new WorkerService(
                                settings.apply(
                                                WorkerSettings.builder()
                                                        .groupId(group)
                                                        .model(blazeFace())
                                                        .model(brightSquare())
                                                        .model(brightSquareBatched()))
                                        .build(),
                                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                                workerTopics,
                                new SimpleMeterRegistry()));
        workers.add(worker);
        return worker;
    }

    void sendRaw(byte[] key, byte[] value) {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.frames().name(), key, value));
        }
    }

    /** Writes {@code spec} to the pipelines topic, keyed by its id, and waits for the ack. */
    void putPipeline(io.panoptes.avro.PipelineSpec spec) throws Exception {
        try (KafkaProducer<String, io.panoptes.avro.PipelineSpec> producer =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        topics.pipelines().keySerde().serializer(),
                        topics.pipelines().valueSerde().serializer())) {
            producer.send(
                            new ProducerRecord<>(
                                    topics.pipelines().name(), spec.getPipelineId(), spec))
                    .get();
        }
    }

    /** Sends {@code frames} with one producer, in order. */
    void sendAll(List<Frame> frames) {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (Frame frame : frames) {
                producer.send(
                        new ProducerRecord<>(
                                topics.frames().name(),
                                frame.getStreamId()
                                        .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                topics.frames()
                                        .valueSerde()
                                        .serializer()
                                        .serialize(topics.frames().name(), frame)));
            }
        }
    }

    void send(Frame frame) {
        sendRaw(
                frame.getStreamId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                topics.frames().valueSerde().serializer().serialize(topics.frames().name(), frame));
    }

    /** The first {@code count} committed results (read_committed). */
    List<Detections> results(int count) {
        return KafkaRecords.read(
                        kafka.bootstrapServers(),
                        topics.detections().name(),
                        count,
                        topics.detections().keySerde().deserializer(),
                        topics.detections().valueSerde().deserializer(),
                        WAIT)
                .stream()
                .map(ConsumerRecord::value)
                .toList();
    }

    /**
     * Every committed result, read until none has arrived for {@code quiet}: duplicates cannot hide
     * past a count.
     */
    List<Detections> allResults(Duration quiet) {
        Map<String, Object> config =
                Map.of(
                        "bootstrap.servers",
                        kafka.bootstrapServers(),
                        "group.id",
                        kafka.uniqueName("checker"),
                        "auto.offset.reset",
                        "earliest",
                        "isolation.level",
                        "read_committed");
        List<Detections> all = new ArrayList<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, Detections> consumer =
                new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                        config,
                        topics.detections().keySerde().deserializer(),
                        topics.detections().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.detections().name()));
            long lastArrival = System.nanoTime();
            long deadline = lastArrival + WAIT.toNanos();
            while (System.nanoTime() - lastArrival < quiet.toNanos()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "results never went quiet for " + quiet + " within " + WAIT);
                }
                var records = consumer.poll(Duration.ofMillis(200));
                records.forEach(r -> all.add(r.value()));
                if (!records.isEmpty()) {
                    lastArrival = System.nanoTime();
                }
            }
        }
        return all;
    }

    List<ConsumerRecord<byte[], byte[]>> deadLetters(int count) {
        return KafkaRecords.read(
                kafka.bootstrapServers(),
                topics.dlq().name(),
                count,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                WAIT);
    }

    @Override
    public void close() {
        workers.forEach(WorkerService::close);
    }
}
