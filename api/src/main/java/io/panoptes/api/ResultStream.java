package io.panoptes.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Event;
import io.panoptes.avro.WindowCount;
import io.panoptes.runtime.http.HttpProblem;
import io.panoptes.runtime.kafka.ClientConfigs;
import io.panoptes.schemas.json.AvroJson;
import io.panoptes.schemas.topics.Topic;
import io.panoptes.schemas.topics.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pipeline's results as Server-Sent Events: detections ({@code event: detections}), window counts
 * ({@code event: count}) and rule events ({@code event: event}), committed ones only, each as one
 * line of JSON. Every event's {@code id} is the position in all three topics just after it, so a
 * client that reconnects with {@code Last-Event-ID} continues exactly where it stopped, without
 * gaps or repeats, whichever partitions the results are on. One consumer (no group) per client.
 */
final class ResultStream {

    private static final Logger log = LoggerFactory.getLogger(ResultStream.class);
    private static final Duration KEEPALIVE = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where to start when the client gives no Last-Event-ID. */
    enum Start {
        EARLIEST,
        LATEST
    }

    private record Kind(
            String code,
            String event,
            Topic<String, ? extends SpecificRecord> topic,
            Function<SpecificRecord, String[]> ids) {}

    private final Map<String, Object> kafkaConfig;
    private final List<Kind> kinds;

    ResultStream(Map<String, Object> kafkaConfig, Topics topics) {
        this.kafkaConfig = kafkaConfig;
        this.kinds =
                List.of(
                        new Kind(
                                "d",
                                "detections",
                                topics.detections(),
                                r ->
                                        ids(
                                                ((Detections) r).getPipelineId(),
                                                ((Detections) r).getStreamId())),
                        new Kind(
                                "c",
                                "count",
                                topics.counts(),
                                r ->
                                        ids(
                                                ((WindowCount) r).getPipelineId(),
                                                ((WindowCount) r).getStreamId())),
                        new Kind(
                                "e",
                                "event",
                                topics.events(),
                                r -> ids(((Event) r).getPipelineId(), ((Event) r).getStreamId())));
    }

    private static String[] ids(String pipelineId, String streamId) {
        return new String[] {pipelineId, streamId};
    }

    /**
     * Parses a {@code Last-Event-ID} this class wrote.
     *
     * @throws HttpProblem 400 when it is not one
     */
    Map<String, Long> parsePosition(String lastEventId) {
        Map<String, Long> position = new HashMap<>();
        for (String part : lastEventId.split(",")) {
            int eq = part.indexOf('=');
            try {
                position.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
            } catch (RuntimeException e) {
                throw HttpProblem.badRequest(
                        "Last-Event-ID", "'" + lastEventId + "' is not an event id of this stream");
            }
        }
        return position;
    }

    /**
     * Called once the stream is positioned, before its first byte: the place to send the response
     * headers.
     */
    interface Ready {
        void start() throws IOException;
    }

    /**
     * Streams until the client goes away (a write fails), the thread is interrupted or {@code
     * stopping} says so (checked twice a second). Failures to reach Kafka come before {@code ready}
     * is called, so the caller can still answer with an error.
     *
     * @param resume the Last-Event-ID position, or null
     */
    void stream(
            String pipelineId,
            Map<String, Long> resume,
            Start start,
            Ready ready,
            OutputStream out,
            BooleanSupplier stopping)
            throws IOException {
        Map<String, Object> config =
                ClientConfigs.of(kafkaConfig, "api-results")
                        .require(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                        .require(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                        .without(ConsumerConfig.GROUP_ID_CONFIG)
                        .build();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(
                        config, new StringDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, Kind> partitions = new LinkedHashMap<>();
            for (Kind kind : kinds) {
                consumer.partitionsFor(kind.topic().name(), Duration.ofSeconds(15))
                        .forEach(
                                p ->
                                        partitions.put(
                                                new TopicPartition(p.topic(), p.partition()),
                                                kind));
            }
            consumer.assign(partitions.keySet());
            seek(consumer, partitions, resume, start);
            Map<TopicPartition, Long> position = new LinkedHashMap<>();
            partitions
                    .keySet()
                    .forEach(p -> position.put(p, consumer.position(p, Duration.ofSeconds(15))));
            ready.start();
            write(out, ": results of pipeline " + pipelineId + "\n\n");
            long lastWrite = System.nanoTime();
            while (!Thread.currentThread().isInterrupted() && !stopping.getAsBoolean()) {
                boolean wrote = false;
                for (ConsumerRecord<String, byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    position.put(tp, record.offset() + 1);
                    String data = matching(partitions.get(tp), record, pipelineId);
                    if (data != null) {
                        out.write(
                                ("id: "
                                                + encode(position, partitions)
                                                + "\nevent: "
                                                + partitions.get(tp).event()
                                                + "\ndata: "
                                                + data
                                                + "\n\n")
                                        .getBytes(StandardCharsets.UTF_8));
                        wrote = true;
                    }
                }
                if (wrote) {
                    out.flush(); // once per poll: the events of one poll leave together, in
                    // one write where they fit
                    lastWrite = System.nanoTime();
                }
                if (System.nanoTime() - lastWrite > KEEPALIVE.toNanos()) {
                    write(out, ": keepalive\n\n"); // finds clients that went away
                    lastWrite = System.nanoTime();
                }
            }
        }
    }

    private static void seek(
            KafkaConsumer<String, byte[]> consumer,
            Map<TopicPartition, Kind> partitions,
            Map<String, Long> resume,
            Start start) {
        List<TopicPartition> unknown = new ArrayList<>();
        for (Map.Entry<TopicPartition, Kind> entry : partitions.entrySet()) {
            Long offset =
                    resume == null
                            ? null
                            : resume.get(entry.getValue().code() + entry.getKey().partition());
            if (offset != null) {
                consumer.seek(entry.getKey(), offset);
            } else {
                unknown.add(entry.getKey());
            }
        }
        if (unknown.isEmpty()) {
            return; // an empty collection would mean every partition to seekToBeginning/seekToEnd
        }
        if (resume != null || start == Start.EARLIEST) {
            consumer.seekToBeginning(
                    unknown); // a partition added since the id was written: all of it is new
        } else {
            consumer.seekToEnd(unknown);
        }
    }

    private static String matching(
            Kind kind, ConsumerRecord<String, byte[]> record, String pipelineId) {
        SpecificRecord value;
        try {
            value =
                    kind.topic()
                            .valueSerde()
                            .deserializer()
                            .deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            log.debug(
                    "results: skipping an unreadable record at {}-{} offset {}",
                    record.topic(),
                    record.partition(),
                    record.offset());
            return null;
        }
        if (value == null) {
            return null;
        }
        String[] ids = kind.ids().apply(value);
        if (!pipelineId.equals(ids[0]) && !(ids[0] == null && Objects.equals(pipelineId, ids[1]))) {
            return null;
        }
        try {
            return JSON.writeValueAsString(AvroJson.toMap((GenericRecord) value));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "result at "
                            + record.topic()
                            + "-"
                            + record.partition()
                            + "@"
                            + record.offset()
                            + " cannot be written as JSON",
                    e);
        }
    }

    private static String encode(
            Map<TopicPartition, Long> position, Map<TopicPartition, Kind> partitions) {
        StringBuilder id = new StringBuilder();
        position.forEach(
                (tp, offset) ->
                        id.append(id.isEmpty() ? "" : ",")
                                .append(partitions.get(tp).code())
                                .append(tp.partition())
                                .append('=')
                                .append(offset));
        return id.toString();
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
