package io.panoptes.aggregator.topology;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.aggregator.AggregatorService;
import io.panoptes.aggregator.AggregatorSettings;
import io.panoptes.avro.Box;
import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Event;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.SourceKind;
import io.panoptes.avro.StageTimings;
import io.panoptes.avro.WindowCount;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The aggregator's topology in a {@link TopologyTestDriver}, with typed topics and result builders.
 */
final class TopologyFixture implements AutoCloseable {

    static final long T0 = 1_764_000_000_000L; // a whole 10 s boundary

    final Topics topics = Topics.create("agg.", new InMemorySchemaRegistry());
    final TopologyTestDriver driver;
    final TestInputTopic<String, Detections> detections;
    final TestInputTopic<byte[], byte[]> rawDetections;
    final TestInputTopic<String, PipelineSpec> pipelines;
    final TestOutputTopic<String, Detections> tracks;
    final TestOutputTopic<String, WindowCount> counts;
    final TestOutputTopic<byte[], byte[]> dlq;
    final TestOutputTopic<String, Event> events;

    TopologyFixture(AggregatorSettings.Builder settings, Path stateDir) {
        AggregatorSettings built = settings.stateDir(stateDir).build();
        AggregatorMetrics metrics = new AggregatorMetrics(new SimpleMeterRegistry());
        this.driver =
                new TopologyTestDriver(
                        AggregatorTopology.build(built, topics, metrics),
                        AggregatorService.streamsConfig(
                                built,
                                Map.of("bootstrap.servers", "unused:9092"),
                                topics,
                                null,
                                metrics),
                        Instant.ofEpochMilli(T0));
        this.detections =
                driver.createInputTopic(
                        topics.detections().name(),
                        new StringSerializer(),
                        topics.detections().valueSerde().serializer());
        this.rawDetections =
                driver.createInputTopic(
                        topics.detections().name(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
        this.pipelines =
                driver.createInputTopic(
                        topics.pipelines().name(),
                        new StringSerializer(),
                        topics.pipelines().valueSerde().serializer());
        this.tracks =
                driver.createOutputTopic(
                        topics.tracks().name(),
                        new StringDeserializer(),
                        topics.tracks().valueSerde().deserializer());
        this.counts =
                driver.createOutputTopic(
                        topics.counts().name(),
                        new StringDeserializer(),
                        topics.counts().valueSerde().deserializer());
        this.dlq =
                driver.createOutputTopic(
                        topics.dlq().name(),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        this.events =
                driver.createOutputTopic(
                        topics.events().name(),
                        new StringDeserializer(),
                        topics.events().valueSerde().deserializer());
    }

    void send(Detections result) {
        detections.pipeInput(result.getStreamId(), result);
    }

    List<Detections> tracks() {
        return tracks.readValuesToList();
    }

    List<Event> events() {
        return events.readValuesToList();
    }

    List<WindowCount> counts() {
        return counts.readValuesToList();
    }

    /** An OK result of a FILE stream at T0 + {@code millis}, frame {@code seq} of epoch 1. */
    static Detections ok(String stream, long seq, long millis, Detection... detections) {
        return result(stream, 1, seq, millis, DetectionStatus.OK, SourceKind.FILE, detections);
    }

    static Detections result(
            String stream,
            long epoch,
            long seq,
            long millis,
            DetectionStatus status,
            SourceKind kind,
            Detection... detections) {
        return new Detections(
                stream,
                epoch,
                seq,
                null,
                kind,
                Instant.ofEpochMilli(T0 + millis),
                Instant.ofEpochMilli(T0 + millis + 20),
                new ModelRef("m", null),
                status,
                null,
                640,
                480,
                new ArrayList<>(List.of(detections)),
                java.util.List.of(),
                new StageTimings(0f, 0f, 0f, 0f));
    }

    /** A person whose box's top-left corner is at (x, y), 40 × 80 pixels. */
    static Detection person(float x, float y) {
        return person(x, y, 0.9f);
    }

    static Detection person(float x, float y, float confidence) {
        return new Detection(
                0,
                "person",
                confidence,
                new Box(x, y, 40f, 80f),
                null,
                List.of(),
                java.util.List.of(),
                null,
                null);
    }

    @Override
    public void close() {
        driver.close();
    }
}
