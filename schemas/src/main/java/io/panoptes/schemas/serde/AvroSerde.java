package io.panoptes.schemas.serde;

import io.panoptes.schemas.registry.SchemaRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * An {@link AvroSerializer} and {@link AvroDeserializer} for one record type, for Kafka Streams and
 * for clients. Both share the registry; each caches what it needs.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    private AvroSerde(AvroSerializer<T> serializer, AvroDeserializer<T> deserializer) {
        this.serializer = serializer;
        this.deserializer = deserializer;
    }

    /**
     * A serde that registers its schema under {@code <topic>-value} when first writing to a topic.
     */
    public static <T extends SpecificRecord> AvroSerde<T> of(
            Class<T> type, SchemaRegistry registry) {
        return new AvroSerde<>(
                AvroSerializer.of(type, registry), AvroDeserializer.of(type, registry));
    }

    @Override
    public AvroSerializer<T> serializer() {
        return serializer;
    }

    @Override
    public AvroDeserializer<T> deserializer() {
        return deserializer;
    }
}
