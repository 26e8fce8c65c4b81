package io.panoptes.aggregator.internal.state;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.panoptes.avro.Detections;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Stores a stream's {@link StreamAggregate.State} as CBOR (Jackson, which maps the state's records
 * directly); results waiting in the reorder buffer are kept in the topic's own Avro wire format, so
 * they survive schema evolution like the topic does. Unknown fields are ignored when reading, so a
 * newer state can be read by an older aggregator during a rolling upgrade.
 */
public final class StateSerde implements Serde<StreamAggregate.State> {

    private final ObjectMapper mapper;

    /**
     * @param detections the detections topic's value serde and topic name (for its schema subject)
     */
    public StateSerde(Serde<Detections> detections, String topic) {
        SimpleModule avro = new SimpleModule("panoptes-avro-in-state");
        avro.addSerializer(
                Detections.class,
                new JsonSerializer<>() {
                    @Override
                    public void serialize(
                            Detections value, JsonGenerator gen, SerializerProvider provider)
                            throws IOException {
                        gen.writeBinary(detections.serializer().serialize(topic, value));
                    }
                });
        avro.addDeserializer(
                Detections.class,
                new JsonDeserializer<>() {
                    @Override
                    public Detections deserialize(JsonParser parser, DeserializationContext context)
                            throws IOException {
                        return detections
                                .deserializer()
                                .deserialize(topic, parser.getBinaryValue());
                    }
                });
        this.mapper =
                CBORMapper.builder()
                        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                        .build()
                        .registerModule(avro);
    }

    @Override
    public Serializer<StreamAggregate.State> serializer() {
        return (topic, state) -> {
            try {
                return state == null ? null : mapper.writeValueAsBytes(state);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot store the state of stream " + state.streamId(), e);
            }
        };
    }

    @Override
    public Deserializer<StreamAggregate.State> deserializer() {
        return (topic, bytes) -> {
            try {
                return bytes == null ? null : mapper.readValue(bytes, StreamAggregate.State.class);
            } catch (IOException e) {
                throw new SerializationException(
                        "stored stream state in " + topic + " cannot be read: " + e.getMessage(),
                        e);
            }
        };
    }
}
