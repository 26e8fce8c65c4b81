package io.panoptes.api;

import io.panoptes.runtime.http.HttpProblem;
import io.panoptes.runtime.kafka.ClientConfigs;
import io.panoptes.schemas.topics.CompactedView;
import io.panoptes.schemas.topics.Topic;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A compacted topic of specs as the API reads and writes it: every key's latest value, read to the
 * end, and writes that the view has read before they return (so a writer reads its own write).
 * Kafka being slow or gone is a 503 naming the topic. The stores of pipelines and models add what a
 * spec's versions mean. Thread-safe.
 */
final class SpecTopic<V> implements AutoCloseable {

    private final Topic<String, V> topic;
    private final CompactedView<V> view;
    private final KafkaProducer<String, V> producer;
    private final Duration timeout;

    SpecTopic(
            Map<String, Object> kafkaConfig,
            Topic<String, V> topic,
            String purpose,
            Duration timeout) {
        this.topic = topic;
        this.timeout = timeout;
        this.view = new CompactedView<>(kafkaConfig, topic, "api-" + purpose);
        int requestTimeout = (int) Math.min(timeout.toMillis(), 10_000);
        Map<String, Object> config =
                ClientConfigs.of(kafkaConfig, "api-" + purpose + "-writer")
                        .tune(ProducerConfig.LINGER_MS_CONFIG, 0)
                        .tune(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout)
                        .tune(
                                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                                (int) Math.max(timeout.toMillis(), requestTimeout))
                        .require(ProducerConfig.ACKS_CONFIG, "all")
                        .require(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                        .build();
        this.producer =
                new KafkaProducer<>(
                        config, new StringSerializer(), topic.valueSerde().serializer());
    }

    Optional<V> get(String key) {
        return view.get(key);
    }

    Map<String, V> snapshot() {
        return view.snapshot();
    }

    /** Why the topic cannot be read yet, or null when it can. */
    String waiting() {
        return view.waiting();
    }

    /** Writes {@code value} for {@code key} (null: removes it) and waits until the view has it. */
    void write(String key, V value) {
        try {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
        } catch (ExecutionException e) {
            throw new HttpProblem(
                    503,
                    null,
                    "cannot write to " + topic.name() + ": " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpProblem(503, null, "interrupted while writing to " + topic.name());
        }
        catchUp();
    }

    /** Waits until the view has read everything written before. */
    void catchUp() {
        try {
            view.catchUp(timeout);
        } catch (TimeoutException | IllegalStateException e) {
            throw new HttpProblem(503, null, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpProblem(503, null, "interrupted while reading " + topic.name());
        }
    }

    /**
     * Refuses a write based on version {@code ifMatch} when {@code what} is at {@code current}.
     *
     * @param ifMatch the version the client read; null to skip the check
     */
    static void requireVersion(String what, long current, Long ifMatch) {
        if (ifMatch != null && ifMatch != current) {
            throw new HttpProblem(
                    409,
                    "If-Match",
                    what
                            + " is at version "
                            + current
                            + ", not "
                            + ifMatch
                            + ": read it again and retry");
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
        view.close();
    }
}
