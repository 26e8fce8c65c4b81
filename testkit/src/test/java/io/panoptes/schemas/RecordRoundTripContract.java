package io.panoptes.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.kafka.embedded.SchemaRegistryServer;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.registry.RestSchemaRegistryClient;
import io.panoptes.schemas.serde.AvroSerdeException;
import io.panoptes.schemas.topics.Topic;
import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every record type of the contract through a real broker and the HTTP-served registry. Runs on the
 * embedded broker ({@code RecordRoundTripIT}) and, where Docker exists, in a container.
 */
@Timeout(120)
abstract class RecordRoundTripContract {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private SchemaRegistryServer registryServer;
    private Topics topics;

    protected abstract String bootstrapServers();

    @BeforeEach
    void createTopics() throws Exception {
        registryServer = SchemaRegistryServer.start(new InMemorySchemaRegistry());
        String prefix = "rt-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        topics =
                Topics.create(prefix, RestSchemaRegistryClient.of(registryServer.url().toString()));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            new TopicAdmin(admin, WAIT)
                    .ensure(
                            TopicSettings.builder()
                                    .prefix(prefix)
                                    .framesPartitions(2)
                                    .partitions(2)
                                    .controlPartitions(2)
                                    .build()
                                    .specs());
        }
    }

    @AfterEach
    void stopRegistry() {
        registryServer.close();
    }

    @Test
    void shouldRoundTripEveryRecordType() {
        assertRoundTrip(topics.frames(), "cam-1", SampleRecords.frame(0));
        assertRoundTrip(topics.detections(), "cam-1", SampleRecords.detections(0));
        assertRoundTrip(topics.tracks(), "cam-1", SampleRecords.detections(1));
        assertRoundTrip(
                topics.counts(),
                "cam-1/person/entrance/1764238530123",
                SampleRecords.windowCount());
        assertRoundTrip(topics.events(), "cam-1", SampleRecords.event());
        assertRoundTrip(topics.pipelines(), "door", SampleRecords.pipelineSpec());
        assertRoundTrip(topics.pipelineStatus(), "door", SampleRecords.pipelineStatus());
        assertRoundTrip(topics.models(), "people", SampleRecords.modelSpec());
        assertThat(registryServer.registry().subjects()).hasSize(8);
    }

    @Test
    void shouldCarryTombstonesOnThePipelinesTopic() {
        send(topics.pipelines(), "door", SampleRecords.pipelineSpec());
        send(topics.pipelines(), "door", null);

        List<ConsumerRecord<String, io.panoptes.avro.PipelineSpec>> read =
                KafkaRecords.read(
                        bootstrapServers(),
                        topics.pipelines().name(),
                        2,
                        topics.pipelines().keySerde().deserializer(),
                        topics.pipelines().valueSerde().deserializer(),
                        WAIT);

        assertThat(read.get(1).value()).isNull();
    }

    @Test
    void shouldNameTopicPartitionAndOffsetOfAnUnreadableRecordAndReadOnPastIt() {
        String topic = topics.frames().name();
        try (KafkaProducer<byte[], byte[]> raw =
                new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            raw.send(
                    new ProducerRecord<>(
                            topic,
                            0,
                            "cam-1".getBytes(StandardCharsets.UTF_8),
                            "garbage".getBytes(StandardCharsets.UTF_8)));
            raw.flush();
        }
        send(topics.frames(), "cam-1", SampleRecords.frame(1), 0);

        try (KafkaConsumer<String, io.panoptes.avro.Frame> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrapServers(),
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "bad-" + UUID.randomUUID(),
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest"),
                        topics.frames().keySerde().deserializer(),
                        topics.frames().valueSerde().deserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            assertThatThrownBy(
                            () -> {
                                for (long end = System.nanoTime() + WAIT.toNanos();
                                        System.nanoTime() < end; ) {
                                    consumer.poll(Duration.ofMillis(200));
                                }
                            })
                    .isInstanceOfSatisfying(
                            RecordDeserializationException.class,
                            e -> {
                                assertThat(e.topicPartition()).isEqualTo(partition);
                                assertThat(e.offset()).isZero();
                                assertThat(e.getCause())
                                        .isInstanceOf(AvroSerdeException.class)
                                        .hasMessageContaining("topic " + topic)
                                        .hasMessageContaining("not the magic byte");
                            });
            consumer.seek(partition, 1);
            ConsumerRecord<String, io.panoptes.avro.Frame> next = null;
            for (long end = System.nanoTime() + WAIT.toNanos();
                    next == null && System.nanoTime() < end; ) {
                var records = consumer.poll(Duration.ofMillis(200));
                next = records.isEmpty() ? null : records.iterator().next();
            }
            assertThat(next).isNotNull();
            assertThat(next.value()).isEqualTo(SampleRecords.frame(1));
        }
    }

    private <V> void assertRoundTrip(Topic<String, V> topic, String key, V value) {
        send(topic, key, value);
        List<ConsumerRecord<String, V>> read =
                KafkaRecords.read(
                        bootstrapServers(),
                        topic.name(),
                        1,
                        topic.keySerde().deserializer(),
                        topic.valueSerde().deserializer(),
                        WAIT);
        assertThat(read.get(0).key()).isEqualTo(key);
        assertThat(read.get(0).value()).isEqualTo(value);
        assertThat(Arrays.asList(read.get(0).value().getClass().getName()))
                .allMatch(n -> n.startsWith("io.panoptes.avro."));
    }

    private <V> void send(Topic<String, V> topic, String key, V value) {
        send(topic, key, value, null);
    }

    private <V> void send(Topic<String, V> topic, String key, V value, Integer partition) {
        try (KafkaProducer<String, V> producer =
                new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()),
                        topic.keySerde().serializer(),
                        topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), partition, key, value));
            producer.flush();
        }
    }
}
