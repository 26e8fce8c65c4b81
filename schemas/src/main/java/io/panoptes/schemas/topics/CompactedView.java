package io.panoptes.schemas.topics;

import io.panoptes.runtime.kafka.ClientConfigs;
import io.panoptes.schemas.serde.RegistryUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest value of every key of a compacted topic (pipelines, pipeline statuses), read fully by
 * a thread of its own: all partitions, from the beginning, no group, read_committed. A null value
 * removes its key; a value that cannot be read is logged and skipped. {@link #catchUp} waits until
 * everything written before the call has been read, for read-your-writes and optimistic checks.
 * Thread-safe reads. (Kafka's own table views live in Kafka Streams; this is the plain-consumer
 * equivalent for processes that do not run Streams.)
 */
public final class CompactedView<V> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CompactedView.class);

    private final Topic<String, V> topic;
    private final Map<String, V> values = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> catchUpRequests =
            new ConcurrentLinkedQueue<>();
    private final BiConsumer<String, V> onChange;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean reading;
    private volatile String waiting = "starting";
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile RuntimeException failure;
    private volatile String outage;

    /**
     * A view of {@code topic}; {@code purpose} names the reader in its client id (e.g. {@code
     * api-pipelines}).
     */
    public CompactedView(Map<String, Object> kafkaConfig, Topic<String, V> topic, String purpose) {
        this(kafkaConfig, topic, purpose, (key, value) -> {});
    }

    /**
     * As above, calling {@code onChange} on the reader thread for every key read (value null when
     * removed).
     */
    public CompactedView(
            Map<String, Object> kafkaConfig,
            Topic<String, V> topic,
            String purpose,
            BiConsumer<String, V> onChange) {
        this.topic = topic;
        this.onChange = onChange;
        Map<String, Object> config =
                ClientConfigs.of(kafkaConfig, purpose)
                        .require(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                        .require(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                        .without(ConsumerConfig.GROUP_ID_CONFIG)
                        .build();
        this.thread = new Thread(() -> read(config), "view-" + topic.name());
        thread.setDaemon(true);
        thread.start();
    }

    public Optional<V> get(String key) {
        return key == null ? Optional.empty() : Optional.ofNullable(values.get(key));
    }

    /** A copy of every key's latest value. */
    public Map<String, V> snapshot() {
        return Map.copyOf(values);
    }

    /**
     * Waits until the view has read every record committed to the topic before this call.
     *
     * @throws TimeoutException when that takes longer than {@code timeout} (the broker is slow or
     *     gone)
     * @throws IllegalStateException when the view stopped reading (naming the cause)
     */
    public void catchUp(Duration timeout) throws TimeoutException, InterruptedException {
        if (failure != null) {
            throw new IllegalStateException(
                    "the view of " + topic.name() + " stopped: " + failure.getMessage(), failure);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reading) { // just started, or Kafka or the topic is missing
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(
                        "the view of " + topic.name() + " is not reading yet: " + waiting);
            }
            Thread.sleep(20);
        }
        CompletableFuture<Void> request = new CompletableFuture<>();
        catchUpRequests.add(request);
        KafkaConsumer<byte[], byte[]> reader = consumer;
        if (reader != null && reading) {
            reader.wakeup(); // end a long poll now rather than after it
        }
        try {
            request.get(
                    Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "the view of "
                            + topic.name()
                            + " cannot catch up: "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException(
                    "the view of "
                            + topic.name()
                            + " did not catch up within "
                            + timeout.toMillis()
                            + " ms");
        }
    }

    private record Pending(CompletableFuture<Void> request, Map<TopicPartition, Long> ends) {}

    private void read(Map<String, Object> config) {
        List<Pending> pending = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            this.consumer = consumer;
            if (!running) {
                return;
            }
            List<TopicPartition> partitions = awaitPartitions(consumer);
            if (partitions.isEmpty()) {
                return; // closed while waiting
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            reading = true;
            while (running) {
                try {
                    for (CompletableFuture<Void> request;
                            (request = catchUpRequests.peek()) != null; ) {
                        pending.add(new Pending(request, consumer.endOffsets(partitions)));
                        catchUpRequests.remove(request);
                    }
                    applyAll(
                            consumer,
                            consumer.poll(Duration.ofMillis(pending.isEmpty() ? 200 : 20)));
                    outage = null; // read again: said before a caught-up reader is told
                    completeCaughtUp(consumer, pending);
                } catch (WakeupException e) {
                    // a catch-up request, or closing: the loop condition decides
                } catch (KafkaException e) {
                    // brokers unreachable (a timeout of endOffsets or position): keep the values,
                    // say why, and read on when they are back; pending catch-ups wait or time out
                    String why = "cannot read " + topic.name() + ": " + e.getMessage();
                    if (!why.equals(outage)) {
                        log.warn("{}; retrying", why);
                    }
                    outage = why;
                    sleepQuietly(Duration.ofSeconds(1));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
            log.error("stopped reading {}: {}", topic.name(), e.toString());
            pending.forEach(p -> p.request().completeExceptionally(e));
        }
    }

    /**
     * The topic's partitions, waiting (and saying why) while Kafka is unreachable or the topic
     * missing; empty when closed.
     */
    private List<TopicPartition> awaitPartitions(KafkaConsumer<byte[], byte[]> consumer) {
        String waitingFor = null;
        while (running) {
            String why;
            try {
                List<TopicPartition> partitions =
                        consumer.partitionsFor(topic.name(), Duration.ofSeconds(10)).stream()
                                .map(p -> new TopicPartition(p.topic(), p.partition()))
                                .toList();
                if (!partitions.isEmpty()) {
                    if (waitingFor != null) {
                        log.info("reading {} now", topic.name());
                    }
                    return partitions;
                }
                why = "topic " + topic.name() + " does not exist (create the topics first)";
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                why = "cannot reach Kafka to read " + topic.name() + ": " + e.getMessage();
            } catch (WakeupException e) {
                continue; // closing: the loop condition decides
            }
            if (!why.equals(waitingFor)) {
                log.warn("{}; retrying", why);
                waitingFor = why;
            }
            this.waiting = why;
            sleepQuietly(Duration.ofSeconds(2));
        }
        return List.of();
    }

    /** Why the view is not reading (not yet, or not now: Kafka unreachable), or null when it is. */
    public String waiting() {
        String now = outage;
        return now != null ? now : reading ? null : waiting;
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void completeCaughtUp(
            KafkaConsumer<byte[], byte[]> consumer, List<Pending> pending) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.ends().entrySet().stream()
                    .allMatch(end -> consumer.position(end.getKey()) >= end.getValue())) {
                p.request().complete(null);
                it.remove();
            }
        }
    }

    /**
     * Applies a poll's records; when one cannot be read for want of the registry, that record and
     * those after it (of every partition) are read again, after the outage is said and waited.
     */
    private void applyAll(
            KafkaConsumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> records) {
        RegistryUnavailableException unavailable = null;
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                if (unavailable == null) {
                    try {
                        apply(record);
                        continue;
                    } catch (RegistryUnavailableException e) {
                        unavailable = e;
                    }
                }
                consumer.seek(partition, record.offset());
                break;
            }
        }
        if (unavailable != null) {
            throw unavailable; // said and waited as an outage, then read again
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            return;
        }
        String key = new String(record.key(), StandardCharsets.UTF_8);
        V value;
        try {
            value = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            log.warn(
                    "skipping an unreadable value for {} at {}-{} offset {}: {}",
                    key,
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
            return;
        }
        if (value == null) {
            values.remove(key);
        } else {
            values.put(key, value);
        }
        onChange.accept(key, value);
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
