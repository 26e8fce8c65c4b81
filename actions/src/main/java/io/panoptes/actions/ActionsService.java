package io.panoptes.actions;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.panoptes.avro.Event;
import io.panoptes.runtime.kafka.ClientConfigs;
import io.panoptes.runtime.lifecycle.Lifecycle;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.runtime.observability.HealthCheck;
import io.panoptes.runtime.retry.Backoff;
import io.panoptes.schemas.serde.AvroDeserializer;
import io.panoptes.schemas.serde.RegistryUnavailableException;
import io.panoptes.schemas.topics.DeadLetters;
import io.panoptes.schemas.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The action sinks: a {@code read_committed} consumer group over the events topic that delivers
 * each event to every destination and then commits it, so delivery is at least once and a restart
 * re-delivers only what was not acknowledged (receivers drop duplicates by {@code webhook-id}). A
 * failed try is retried with exponential backoff and jitter; an event a destination rejects (a 4xx)
 * or that still fails after the last try goes to the DLQ, named by destination. A destination
 * failing try after try opens its circuit breaker, and consumption pauses until it half-opens
 * (nothing piles into the DLQ while a receiver is down). 410 Gone stops delivery to that
 * destination. An event record that cannot be read goes to the DLQ. Nothing runs before {@link
 * #start()}. Owns its sinks: closes them.
 */
public final class ActionsService implements RoleService {

    private static final Logger log = LoggerFactory.getLogger(ActionsService.class);
    private static final Duration STOP = Duration.ofSeconds(30);

    private final ActionSettings settings;
    private final List<Sink> sinks;
    private final Topics topics;
    private final Map<String, Object> kafkaConfig;
    private final Lifecycle lifecycle = new Lifecycle("the action sinks");
    private final Backoff retries;
    private final AvroDeserializer<Event> events;
    private final Map<Sink, CircuitBreaker> breakers = new HashMap<>();
    private final Set<Sink> gone = new HashSet<>();
    private final Map<String, Counter> delivered = new LinkedHashMap<>();
    private final Counter failedTries;
    private final Counter deadLetters;
    private final AtomicLong committed = new AtomicLong();
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private Thread thread;
    private volatile boolean running = true;
    private volatile boolean paused;
    private volatile String failure;

    public ActionsService(
            ActionSettings settings,
            List<Sink> sinks,
            Map<String, Object> kafkaConfig,
            Topics topics,
            MeterRegistry meters,
            Clock clock) {
        if (sinks.isEmpty()) {
            throw new IllegalArgumentException(
                    "the action sinks need at least one destination (--webhook or --file)");
        }
        this.settings = settings;
        this.sinks = List.copyOf(sinks);
        this.topics = topics;
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.retries = settings.backoff();
        this.events = AvroDeserializer.of(Event.class, topics.registry());
        for (Sink sink : sinks) {
            breakers.put(
                    sink,
                    new CircuitBreaker(
                            settings.breakerThreshold(), settings.breakerOpenFor(), clock));
            delivered.put(
                    sink.name(),
                    Counter.builder("panoptes.actions.delivered")
                            .tag("sink", sink.name())
                            .description("Events a destination acknowledged")
                            .register(meters));
        }
        failedTries =
                Counter.builder("panoptes.actions.failed.tries")
                        .description("Delivery tries that failed")
                        .register(meters);
        deadLetters =
                Counter.builder("panoptes.actions.dead.letters")
                        .description("Events sent to the DLQ")
                        .register(meters);
        meters.gauge("panoptes.actions.paused", this, s -> s.paused ? 1 : 0);
    }

    @Override
    public String name() {
        return "actions";
    }

    /** Joins the sinks' group and starts delivering. */
    @Override
    public synchronized void start() {
        lifecycle.start();
        consumer =
                new KafkaConsumer<>(
                        consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        producer =
                new KafkaProducer<>(
                        producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
        thread = new Thread(this::run, "actions");
        thread.start();
    }

    private Map<String, Object> consumerConfig() {
        return ClientConfigs.of(kafkaConfig, "actions-events")
                .tune(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50)
                .require(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId())
                .require(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .require(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .require(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .build();
    }

    private Map<String, Object> producerConfig() {
        return ClientConfigs.of(kafkaConfig, "actions-dlq")
                .require(ProducerConfig.ACKS_CONFIG, "all")
                .require(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .build();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topics.events().name()));
            log.info(
                    "action sinks delivering {} to {}",
                    topics.events().name(),
                    sinks.stream().map(Sink::name).toList());
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    if (!running) {
                        break; // not committed: read again next time
                    }
                    if (!handle(record)) {
                        break; // stopping mid-delivery: not committed, so delivered again (same id)
                        // next time
                    }
                    commit(record);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            failure = e.toString();
            log.error("action sinks stopped: {}", e.toString(), e);
        } finally {
            producer.close(Duration.ofSeconds(10));
            consumer.close();
            log.info("action sinks stopped");
        }
    }

    /** Delivers the record's event everywhere; false when stopped before it was done. */
    private boolean handle(ConsumerRecord<byte[], byte[]> record) {
        Event event;
        try {
            event = events.deserialize(record);
            if (event == null) {
                throw new SerializationException("a null value (tombstone) on the events topic");
            }
        } catch (RegistryUnavailableException e) {
            // a valid event the registry cannot describe now: not a dead letter, read it again
            log.warn("{}; reading it again in a second", e.getMessage());
            rewindToCommitted();
            sleepQuietly(1_000);
            return false;
        } catch (SerializationException e) {
            deadLetter(record, e);
            return true;
        }
        byte[] json = EventJson.of(event);
        for (Sink sink : sinks) {
            if (!gone.contains(sink) && !deliver(sink, event, json, record)) {
                return false;
            }
        }
        return true;
    }

    /** Every assigned partition back to its committed offset (committed after each event). */
    private void rewindToCommitted() {
        var owned = consumer.assignment();
        var committed = consumer.committed(owned);
        for (var partition : owned) {
            var offset = committed.get(partition);
            if (offset == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, offset.offset());
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Tries until the destination takes the event, rejects it, is gone, or the tries run out; false
     * when stopped first.
     */
    private boolean deliver(
            Sink sink, Event event, byte[] json, ConsumerRecord<byte[], byte[]> record) {
        CircuitBreaker breaker = breakers.get(sink);
        int tries = 0;
        while (running) {
            if (breaker.isOpen()) {
                waitWhileOpen(sink, breaker);
                continue;
            }
            Delivery delivery = sink.deliver(event, json);
            tries++;
            switch (delivery.outcome()) {
                case DELIVERED -> {
                    breaker.success();
                    delivered.get(sink.name()).increment();
                    return true;
                }
                case GONE -> {
                    gone.add(sink);
                    log.warn("{} answered 410 Gone: nothing more is sent there", sink.name());
                    return true;
                }
                case REJECTED -> {
                    deadLetter(
                            record,
                            new SinkException(
                                    sink.name()
                                            + " rejected event "
                                            + event.getEventId()
                                            + ": "
                                            + delivery.detail()));
                    return true;
                }
                default -> {
                    failedTries.increment();
                    if (breaker.failure()) {
                        log.warn(
                                "{} failed {} tries in a row ({}): circuit open until {}, consumption paused",
                                sink.name(),
                                settings.breakerThreshold(),
                                delivery.detail(),
                                breaker.openUntil());
                    } else if (!retries.allows(tries + 1)) {
                        deadLetter(
                                record,
                                new SinkException(
                                        sink.name()
                                                + " failed event "
                                                + event.getEventId()
                                                + " after "
                                                + tries
                                                + " tries: "
                                                + delivery.detail()));
                        return true;
                    } else {
                        sleep(retries.delay(tries).toMillis());
                    }
                }
            }
        }
        return false;
    }

    /**
     * Pauses consumption (still polling, to stay in the group) until the breaker lets one try
     * through.
     */
    private void waitWhileOpen(Sink sink, CircuitBreaker breaker) {
        Set<TopicPartition> assigned = consumer.assignment();
        consumer.pause(assigned);
        paused = true;
        try {
            while (running && breaker.isOpen()) {
                // a rebalance meanwhile assigns partitions unpaused: pause them too, and put back
                // whatever a poll returns, or those events would be skipped and later committed
                consumer.pause(consumer.assignment());
                ConsumerRecords<byte[], byte[]> stray = consumer.poll(Duration.ofMillis(100));
                for (TopicPartition partition : stray.partitions()) {
                    consumer.seek(partition, stray.records(partition).get(0).offset());
                }
            }
        } finally {
            consumer.resume(consumer.assignment());
            paused = false;
        }
        log.info("{}: circuit half-open, trying again", sink.name());
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, Exception error) {
        try {
            producer.send(
                            DeadLetters.of(
                                    topics.dlq().name(), record, error, DeadLetters.Stage.SINK))
                    .get();
            deadLetters.increment();
            log.warn(
                    "sent {}-{} offset {} to the DLQ: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    error.getMessage());
        } catch (ExecutionException | KafkaException e) {
            throw new KafkaException(
                    "cannot write to the DLQ " + topics.dlq().name() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void commit(ConsumerRecord<byte[], byte[]> record) {
        try {
            consumer.commitSync(
                    Map.of(
                            new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1)));
            committed.incrementAndGet();
        } catch (CommitFailedException e) {
            log.warn(
                    "{}-{} moved to another sink before offset {} was committed; it will deliver it again (same id)",
                    record.topic(),
                    record.partition(),
                    record.offset());
        }
    }

    private void sleep(long millis) {
        long until = System.nanoTime() + millis * 1_000_000;
        while (running && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** An event a destination would not take. */
    static final class SinkException extends Exception {
        private static final long serialVersionUID = 1L;

        SinkException(String message) {
            super(message);
        }
    }

    public boolean isRunning() {
        return lifecycle.isStarted() && thread.isAlive() && failure == null;
    }

    @Override
    public HealthCheck.Health health() {
        return isRunning()
                ? HealthCheck.Health.up(
                        committed()
                                + " events handled"
                                + (isPaused() ? ", paused: a destination is down" : ""))
                : HealthCheck.Health.down(
                        failure != null
                                ? "stopped: " + failure
                                : lifecycle.isClosed() ? "stopped" : "not started");
    }

    /** Whether consumption is paused behind an open circuit breaker. */
    public boolean isPaused() {
        return paused;
    }

    @Override
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** Events handled and committed (delivered, dead-lettered or skipped for gone destinations). */
    public long committed() {
        return committed.get();
    }

    /** Events sent to the DLQ so far. */
    public long deadLettered() {
        return (long) deadLetters.count();
    }

    @Override
    public synchronized void close() {
        boolean started = lifecycle.isStarted();
        if (!lifecycle.close()) {
            return;
        }
        if (started) {
            running = false;
            consumer.wakeup();
            try {
                thread.join(STOP.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sinks.forEach(Sink::close);
    }
}
