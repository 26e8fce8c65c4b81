package io.panoptes.worker;

import io.panoptes.avro.PipelineSpec;
import io.panoptes.schemas.topics.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every pipeline's latest spec, read fully from the compacted pipelines topic by a thread of its
 * own (all partitions, from the beginning, no group), so the worker can find a frame's model and
 * policy by its pipeline id. A spec that cannot be read is logged and skipped. Thread-safe reads.
 */
public final class PipelineSpecs implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PipelineSpecs.class);

    private final Map<String, PipelineSpec> specs = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    public PipelineSpecs(Map<String, Object> kafkaConfig, Topic<String, PipelineSpec> topic) {
        Map<String, Object> config = new java.util.HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "panoptes-worker-pipelines-" + UUID.randomUUID().toString().substring(0, 8));
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.thread = new Thread(() -> read(config, topic), "pipeline-specs");
        thread.setDaemon(true);
        thread.start();
    }

    public Optional<PipelineSpec> get(String pipelineId) {
        return pipelineId == null ? Optional.empty() : Optional.ofNullable(specs.get(pipelineId));
    }

    private void read(Map<String, Object> config, Topic<String, PipelineSpec> topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            this.consumer = consumer;
            if (!running) {
                return;
            }
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    apply(record, topic);
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("stopped reading pipeline specs from {}: {}", topic.name(), e.toString());
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record, Topic<String, PipelineSpec> topic) {
        String id = record.key() == null ? null : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            PipelineSpec spec = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
            if (id == null) {
                return;
            }
            if (spec == null) {
                specs.remove(id);
            } else {
                specs.put(id, spec);
            }
        } catch (SerializationException e) {
            log.warn("skipping an unreadable pipeline spec for {} at {}-{} offset {}: {}", id, record.topic(),
                    record.partition(), record.offset(), e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> reader = consumer;
        if (reader != null) {
            reader.wakeup();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
