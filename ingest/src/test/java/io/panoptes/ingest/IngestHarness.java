package io.panoptes.ingest;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.avro.Frame;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.KafkaRecords;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.TestTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A fresh set of topics on the test cluster, an ingest service on them, and a way to read frames
 * back.
 */
final class IngestHarness implements AutoCloseable {

    final KafkaCluster kafka;
    final Topics topics;
    final IngestService service;

    IngestHarness(KafkaCluster kafka, UnaryOperator<IngestSettings.Builder> settings)
            throws Exception {
        this.kafka = kafka;
        // new leaders settle before the first produce: an idempotent producer's first batches to a
        // fresh
        // partition were seen looping on OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout
        this.topics =
                TestTopics.create(
                        kafka,
                        "ingest",
                        b -> b.framesPartitions(2).partitions(1).controlPartitions(1));
        this.service =
                RoleService.started(
                        new IngestService(
                                settings.apply(
                                                IngestSettings.builder()
                                                        .workerGroup(kafka.uniqueName("workers"))
                                                        .lagInterval(Duration.ofMillis(200)))
                                        .build(),
                                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                                topics,
                                new SimpleMeterRegistry()));
    }

    List<ConsumerRecord<String, Frame>> frames(int count, Duration timeout) {
        return KafkaRecords.read(
                kafka.bootstrapServers(),
                topics.frames().name(),
                count,
                topics.frames().keySerde().deserializer(),
                topics.frames().valueSerde().deserializer(),
                timeout);
    }

    List<Frame> framesOf(String streamId, int count, Duration timeout) {
        return frames(count, timeout).stream()
                .map(ConsumerRecord::value)
                .filter(f -> f.getStreamId().equals(streamId))
                .toList();
    }

    @Override
    public void close() {
        service.close();
    }
}
