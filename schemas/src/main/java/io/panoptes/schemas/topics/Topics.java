package io.panoptes.schemas.topics;

import io.panoptes.avro.Detections;
import io.panoptes.avro.Event;
import io.panoptes.avro.Frame;
import io.panoptes.avro.ModelSpec;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.PipelineStatus;
import io.panoptes.avro.WindowCount;
import io.panoptes.schemas.registry.SchemaRegistry;
import io.panoptes.schemas.serde.AvroSerde;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of the contract for one deployment (a topic-name prefix) and one schema registry:
 * keys are UTF-8 strings, values Avro in the Confluent wire format, except the DLQ, which keeps the
 * original bytes. The one place that pairs topic names with serdes.
 */
public final class Topics {

    public static final String DEFAULT_PREFIX = "panoptes.";
    private static final Pattern LEGAL_PREFIX = Pattern.compile("[a-zA-Z0-9._-]{0,200}");

    private final String prefix;
    private final SchemaRegistry registry;
    private final Topic<String, Frame> frames;
    private final Topic<String, Detections> detections;
    private final Topic<String, Detections> tracks;
    private final Topic<String, WindowCount> counts;
    private final Topic<String, Event> events;
    private final Topic<String, PipelineSpec> pipelines;
    private final Topic<String, PipelineStatus> pipelineStatus;
    private final Topic<String, ModelSpec> models;
    private final Topic<byte[], byte[]> dlq;

    private Topics(String prefix, SchemaRegistry registry) {
        this.prefix = prefix;
        this.registry = registry;
        this.frames = avro(TopicKind.FRAMES, Frame.class, registry);
        this.detections = avro(TopicKind.DETECTIONS, Detections.class, registry);
        this.tracks = avro(TopicKind.TRACKS, Detections.class, registry);
        this.counts = avro(TopicKind.COUNTS, WindowCount.class, registry);
        this.events = avro(TopicKind.EVENTS, Event.class, registry);
        this.pipelines = avro(TopicKind.PIPELINES, PipelineSpec.class, registry);
        this.pipelineStatus = avro(TopicKind.PIPELINE_STATUS, PipelineStatus.class, registry);
        this.models = avro(TopicKind.MODELS, ModelSpec.class, registry);
        this.dlq =
                new Topic<>(
                        TopicKind.DLQ.topicName(prefix), Serdes.ByteArray(), Serdes.ByteArray());
    }

    /**
     * The topics named with {@code prefix} (e.g. {@code panoptes.}), whose Avro serdes use {@code
     * registry}.
     *
     * @throws IllegalArgumentException when the prefix holds characters Kafka does not allow in
     *     topic names
     */
    public static Topics create(String prefix, SchemaRegistry registry) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(registry, "registry");
        validatePrefix(prefix);
        return new Topics(prefix, registry);
    }

    static void validatePrefix(String prefix) {
        if (!LEGAL_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException(
                    "topic prefix '"
                            + prefix
                            + "' may only hold ASCII letters, digits,"
                            + " '.', '_' and '-' (at most 200 characters)");
        }
    }

    private <V extends SpecificRecord> Topic<String, V> avro(
            TopicKind kind, Class<V> type, SchemaRegistry registry) {
        return new Topic<>(kind.topicName(prefix), Serdes.String(), AvroSerde.of(type, registry));
    }

    public String prefix() {
        return prefix;
    }

    /** The registry the serdes use. */
    public SchemaRegistry registry() {
        return registry;
    }

    public Topic<String, Frame> frames() {
        return frames;
    }

    public Topic<String, Detections> detections() {
        return detections;
    }

    public Topic<String, Detections> tracks() {
        return tracks;
    }

    public Topic<String, WindowCount> counts() {
        return counts;
    }

    public Topic<String, Event> events() {
        return events;
    }

    public Topic<String, PipelineSpec> pipelines() {
        return pipelines;
    }

    public Topic<String, PipelineStatus> pipelineStatus() {
        return pipelineStatus;
    }

    public Topic<String, ModelSpec> models() {
        return models;
    }

    public Topic<byte[], byte[]> dlq() {
        return dlq;
    }
}
