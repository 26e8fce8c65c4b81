package io.panoptes.aggregator.topology;

import io.panoptes.schemas.serde.RegistryUnavailableException;
import io.panoptes.schemas.topics.DeadLetters;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams exception handlers that send the record that failed to the DLQ with DESIGN.md's
 * {@code panoptes.*} headers (Kafka Streams' own DLQ support writes other headers) and carry on:
 * one bad record never stalls a stream. The DLQ records are written in the task's transaction.
 */
public final class DeadLetterHandlers {

    /** Streams config key naming the DLQ topic. */
    public static final String DLQ_TOPIC = "panoptes.dlq.topic";

    /**
     * Streams config key of the {@link AggregatorMetrics} the handlers count in: Kafka Streams
     * instantiates them and hands them its configuration, so the metrics travel in it (two
     * aggregators in one JVM count apart).
     */
    public static final String METRICS = "panoptes.aggregator.metrics";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterHandlers.class);

    private DeadLetterHandlers() {}

    private static AggregatorMetrics metrics(Map<String, ?> configs) {
        return configs.get(METRICS) instanceof AggregatorMetrics metrics ? metrics : null;
    }

    private static String dlqTopic(Map<String, ?> configs) {
        Object topic = configs.get(DLQ_TOPIC);
        if (topic == null) {
            throw new IllegalStateException(
                    "the aggregator's Kafka Streams config lacks " + DLQ_TOPIC);
        }
        return topic.toString();
    }

    private static ProducerRecord<byte[], byte[]> deadLetter(
            String dlq,
            AggregatorMetrics metrics,
            ErrorHandlerContext context,
            byte[] key,
            byte[] value,
            Exception error) {
        log.warn(
                "sent {}-{} offset {} to the DLQ: {}",
                context.topic(),
                context.partition(),
                context.offset(),
                error.toString());
        if (metrics != null) {
            metrics.deadLetter();
        }
        RecordHeaders headers = new RecordHeaders();
        context.headers().forEach(headers::add);
        DeadLetters.addErrorHeaders(
                headers,
                error,
                context.topic(),
                context.partition(),
                context.offset(),
                DeadLetters.Stage.AGGREGATOR);
        return new ProducerRecord<>(dlq, null, key, value, headers);
    }

    /** A detections record that cannot be deserialized. */
    public static final class Deserialization implements DeserializationExceptionHandler {
        private String dlq;
        private AggregatorMetrics metrics;

        @Override
        public void configure(Map<String, ?> configs) {
            dlq = dlqTopic(configs);
            metrics = metrics(configs);
        }

        @Override
        public Response handleError(
                ErrorHandlerContext context,
                ConsumerRecord<byte[], byte[]> record,
                Exception exception) {
            if (exception instanceof RegistryUnavailableException) {
                return Response.fail(); // a valid record: the thread stops, a restart retries it
            }
            return Response.resume(
                    List.of(
                            deadLetter(
                                    dlq,
                                    metrics,
                                    context,
                                    record.key(),
                                    record.value(),
                                    exception)));
        }
    }

    /** A record whose processing threw: the original bytes go to the DLQ. */
    public static final class Processing implements ProcessingExceptionHandler {
        private String dlq;
        private AggregatorMetrics metrics;

        @Override
        public void configure(Map<String, ?> configs) {
            dlq = dlqTopic(configs);
            metrics = metrics(configs);
        }

        @Override
        public Response handleError(
                ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            return Response.resume(
                    List.of(
                            deadLetter(
                                    dlq,
                                    metrics,
                                    context,
                                    context.sourceRawKey(),
                                    context.sourceRawValue(),
                                    exception)));
        }
    }
}
