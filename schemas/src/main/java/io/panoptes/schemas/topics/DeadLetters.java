package io.panoptes.schemas.topics;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Records for the DLQ topic: the original key and value bytes (and headers), plus the {@code
 * panoptes.*} headers of DESIGN.md saying what failed, where and at which stage.
 */
public final class DeadLetters {

    public static final String ERROR_CLASS = "panoptes.error.class";
    public static final String ERROR_MESSAGE = "panoptes.error.message";
    public static final String SOURCE_TOPIC = "panoptes.source.topic";
    public static final String SOURCE_PARTITION = "panoptes.source.partition";
    public static final String SOURCE_OFFSET = "panoptes.source.offset";
    public static final String STAGE = "panoptes.stage";

    /** Set when the value was cut to fit the DLQ: the original value's size in bytes. */
    public static final String VALUE_TRUNCATED = "panoptes.value.truncated";

    /**
     * Most value bytes a DLQ record keeps: under a producer's default 1 MiB request and a broker's
     * default 1 MiB message, with room for the key and headers. A longer value (frames may be 4
     * MiB) is cut, or the DLQ record itself would fail and take the sender's transaction with it;
     * the headers name where the whole record is.
     */
    public static final int MAX_VALUE_BYTES = 512 * 1024;

    /** Longest error message kept in a header; longer ones are cut. */
    static final int MAX_MESSAGE_CHARS = 4000;

    /** Which role sent a record to the DLQ. */
    public enum Stage {
        INGEST,
        WORKER,
        AGGREGATOR,
        SINK;

        public String headerValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private DeadLetters() {}

    /** A DLQ record for {@code original}, which failed at {@code stage} with {@code error}. */
    public static ProducerRecord<byte[], byte[]> of(
            String dlqTopic,
            ConsumerRecord<byte[], byte[]> original,
            Throwable error,
            Stage stage) {
        Headers headers = new RecordHeaders();
        for (Header header : original.headers()) {
            headers.add(header);
        }
        addErrorHeaders(
                headers, error, original.topic(), original.partition(), original.offset(), stage);
        byte[] value = original.value();
        if (value != null && value.length > MAX_VALUE_BYTES) {
            put(headers, VALUE_TRUNCATED, String.valueOf(value.length));
            value = java.util.Arrays.copyOf(value, MAX_VALUE_BYTES);
        }
        return new ProducerRecord<>(dlqTopic, null, original.key(), value, headers);
    }

    /** Adds the {@code panoptes.*} headers (replacing earlier ones) to {@code headers}. */
    public static Headers addErrorHeaders(
            Headers headers,
            Throwable error,
            String topic,
            int partition,
            long offset,
            Stage stage) {
        put(headers, ERROR_CLASS, error.getClass().getName());
        put(headers, ERROR_MESSAGE, truncate(String.valueOf(error.getMessage())));
        put(headers, SOURCE_TOPIC, topic);
        put(headers, SOURCE_PARTITION, String.valueOf(partition));
        put(headers, SOURCE_OFFSET, String.valueOf(offset));
        put(headers, STAGE, stage.headerValue());
        return headers;
    }

    /** The value of a {@code panoptes.*} header as text, or null. */
    public static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null
                ? null
                : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String truncate(String message) {
        return message.length() <= MAX_MESSAGE_CHARS
                ? message
                : message.substring(0, MAX_MESSAGE_CHARS) + "…";
    }
}
