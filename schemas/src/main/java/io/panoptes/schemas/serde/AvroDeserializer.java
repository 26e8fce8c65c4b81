package io.panoptes.schemas.serde;

import io.panoptes.schemas.ContractClasses;
import io.panoptes.schemas.registry.SchemaNotFoundException;
import io.panoptes.schemas.registry.SchemaRegistry;
import io.panoptes.schemas.registry.SchemaRegistryException;
import io.panoptes.schemas.registry.SchemaRegistryUnavailableException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads values in the Confluent wire format into Avro specific records of type {@code T}, resolving
 * data written with an older or newer compatible schema against {@code T}'s schema. Writer schemas
 * are fetched by id once and cached, so the hot path does no I/O. A null value reads as null (a
 * tombstone). Thread-safe.
 *
 * <p>Bad input never reads as null: a value that is too short, lacks the magic byte, names an
 * unknown schema id, was written with a schema that cannot be read as {@code T}, or is truncated or
 * followed by stray bytes raises {@link AvroSerdeException} naming the topic, partition and offset
 * (where known) and the cause.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    static {
        ContractClasses.trust();
    }

    private final SchemaRegistry registry;
    private final Schema readerSchema;
    private final Map<Integer, SpecificDatumReader<T>> readersBySchemaId =
            new ConcurrentHashMap<>();
    private final Map<Integer, String> unreadableSchemaIds = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    public AvroDeserializer(SchemaRegistry registry, Class<T> type) {
        this.registry = registry;
        this.readerSchema = SpecificData.get().getSchema(type);
    }

    public static <T extends SpecificRecord> AvroDeserializer<T> of(
            Class<T> type, SchemaRegistry registry) {
        return new AvroDeserializer<>(registry, type);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return deserialize(data, topic);
    }

    /** Reads a record's value, naming its topic, partition and offset in any error. */
    public T deserialize(ConsumerRecord<?, byte[]> record) {
        return deserialize(
                record.value(),
                record.topic() + " partition " + record.partition() + " offset " + record.offset());
    }

    private T deserialize(byte[] data, String where) {
        if (data == null) {
            return null;
        }
        int schemaId;
        try {
            schemaId = WireFormat.schemaId(data);
        } catch (IllegalArgumentException e) {
            throw failure(where, e.getMessage(), null);
        }
        SpecificDatumReader<T> reader = reader(schemaId, where);
        BinaryDecoder decoder =
                DecoderFactory.get()
                        .binaryDecoder(
                                data,
                                WireFormat.HEADER_LENGTH,
                                data.length - WireFormat.HEADER_LENGTH,
                                decoders.get());
        decoders.set(decoder);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (IOException
                | AvroRuntimeException
                | IndexOutOfBoundsException
                | NegativeArraySizeException
                | ClassCastException e) {
            throw failure(
                    where,
                    "truncated or corrupt Avro data for schema id "
                            + schemaId
                            + " ("
                            + data.length
                            + " bytes): "
                            + e,
                    e);
        }
        try {
            if (!decoder.isEnd()) {
                throw failure(
                        where,
                        "stray bytes after the record written with schema id "
                                + schemaId
                                + ": the value is not a single "
                                + readerSchema.getFullName(),
                        null);
            }
        } catch (IOException e) {
            throw failure(where, "cannot check the end of the value: " + e, e);
        }
        return value;
    }

    private SpecificDatumReader<T> reader(int schemaId, String where) {
        String unreadable = unreadableSchemaIds.get(schemaId);
        if (unreadable != null) {
            throw failure(where, unreadable, null);
        }
        SpecificDatumReader<T> reader = readersBySchemaId.get(schemaId);
        if (reader != null) {
            return reader;
        }
        Schema writerSchema;
        try {
            writerSchema = registry.schemaById(schemaId);
        } catch (SchemaNotFoundException e) {
            throw failure(
                    where,
                    "unknown schema id "
                            + schemaId
                            + " (the registry has no such schema: "
                            + e.getMessage()
                            + ")",
                    e);
        } catch (SchemaRegistryUnavailableException e) {
            throw new RegistryUnavailableException(
                    "cannot read a "
                            + readerSchema.getFullName()
                            + " from topic "
                            + where
                            + ": the schema registry is unavailable ("
                            + e.getMessage()
                            + ")",
                    e);
        } catch (SchemaRegistryException e) {
            throw failure(
                    where,
                    "cannot fetch schema id " + schemaId + " from the registry: " + e.getMessage(),
                    e);
        }
        var compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
        if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
            String reason =
                    "schema id "
                            + schemaId
                            + " ("
                            + writerSchema.getFullName()
                            + ") cannot be read as "
                            + readerSchema.getFullName()
                            + ": "
                            + describe(compatibility.getResult().getIncompatibilities());
            unreadableSchemaIds.put(schemaId, reason);
            throw failure(where, reason, null);
        }
        return readersBySchemaId.computeIfAbsent(
                schemaId, id -> new SpecificDatumReader<>(writerSchema, readerSchema));
    }

    private AvroSerdeException failure(String where, String cause, Throwable e) {
        return new AvroSerdeException(
                "cannot deserialize a "
                        + readerSchema.getFullName()
                        + " from topic "
                        + where
                        + ": "
                        + cause,
                e);
    }

    private static String describe(List<SchemaCompatibility.Incompatibility> incompatibilities) {
        return incompatibilities.stream()
                .limit(3)
                .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
                .reduce((a, b) -> a + "; " + b)
                .orElse("incompatible");
    }
}
