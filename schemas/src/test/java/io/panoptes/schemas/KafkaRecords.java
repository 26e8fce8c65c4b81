package io.panoptes.schemas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/** Reads records back from a topic for assertions. */
public final class KafkaRecords {

    private KafkaRecords() {}

    /**
     * The first {@code count} records of {@code topic} (read_committed, from the beginning),
     * failing after {@code timeout}.
     */
    public static <K, V> List<ConsumerRecord<K, V>> read(
            String bootstrap,
            String topic,
            int count,
            Deserializer<K> keys,
            Deserializer<V> values,
            Duration timeout) {
        return read(
                bootstrap,
                topic,
                count,
                consumer -> consumer.poll(Duration.ofMillis(200)),
                keys,
                values,
                timeout);
    }

    /** Every committed record of {@code topic} up to its end when called, read without a group. */
    public static <K, V> List<ConsumerRecord<K, V>> readAll(
            String bootstrap, String topic, Deserializer<K> keys, Deserializer<V> values) {
        try (KafkaConsumer<K, V> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                "read_committed"),
                        keys,
                        values)) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<K, V>> all = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
            return all;
        }
    }

    private static <K, V> List<ConsumerRecord<K, V>> read(
            String bootstrap,
            String topic,
            int count,
            Function<KafkaConsumer<K, V>, Iterable<ConsumerRecord<K, V>>> poll,
            Deserializer<K> keys,
            Deserializer<V> values,
            Duration timeout) {
        Map<String, Object> config =
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "reader-" + java.util.UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed");
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                poll.apply(consumer).forEach(records::add);
            }
        }
        if (records.size() < count) {
            throw new AssertionError(
                    "read "
                            + records.size()
                            + " of "
                            + count
                            + " records from "
                            + topic
                            + " in "
                            + timeout);
        }
        return records;
    }
}
