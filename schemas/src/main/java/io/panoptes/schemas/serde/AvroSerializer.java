package io.panoptes.schemas.serde;

import io.panoptes.schemas.ContractClasses;
import io.panoptes.schemas.registry.SchemaRegistry;
import io.panoptes.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro specific records in the Confluent wire format, registering (or, with {@code
 * autoRegister} off, looking up) the record's schema under {@code <topic>-value} the first time it
 * writes to a topic. The schema id is cached per topic, so the hot path does no I/O. A null record
 * is written as null (a tombstone). Thread-safe.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    static {
        ContractClasses.trust();
    }

    private final SchemaRegistry registry;
    private final Schema schema;
    private final boolean autoRegister;
    private final SpecificDatumWriter<T> writer;
    private final Map<String, Integer> schemaIdsByTopic = new ConcurrentHashMap<>();
    private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(Buffer::new);

    public AvroSerializer(SchemaRegistry registry, Class<T> type, boolean autoRegister) {
        this.registry = registry;
        this.schema = SpecificData.get().getSchema(type);
        this.autoRegister = autoRegister;
        this.writer = new SpecificDatumWriter<>(schema);
    }

    /** A serializer that registers its schema when first used on a topic. */
    public static <T extends SpecificRecord> AvroSerializer<T> of(
            Class<T> type, SchemaRegistry registry) {
        return new AvroSerializer<>(registry, type, true);
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        int schemaId = schemaIdsByTopic.computeIfAbsent(topic, this::schemaIdFor);
        Buffer buffer = buffers.get();
        try {
            return buffer.write(schemaId, record, writer);
        } catch (IOException | RuntimeException e) {
            throw new AvroSerdeException(
                    "cannot serialize a " + schema.getFullName() + " for topic " + topic + ": " + e,
                    e);
        }
    }

    private int schemaIdFor(String topic) {
        String subject = WireFormat.valueSubject(topic);
        try {
            return autoRegister
                    ? registry.register(subject, schema)
                    : registry.lookup(subject, schema)
                            .orElseThrow(
                                    () ->
                                            new AvroSerdeException(
                                                    "schema of "
                                                            + schema.getFullName()
                                                            + " is not registered under "
                                                            + subject
                                                            + " and auto-registration is off"))
                            .id();
        } catch (SchemaRegistryException e) {
            throw new AvroSerdeException(
                    "cannot register the schema of "
                            + schema.getFullName()
                            + " under "
                            + subject
                            + " for topic "
                            + topic
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * A {@code ByteArrayOutputStream} without its locks: the direct encoder writes small values
     * byte by byte, and the synchronized {@code write(int)} was a third of the cost of writing a
     * Detections record. Written by hand because the JDK has none and commons-io is not a
     * dependency of the contract module.
     */
    private static final class GrowableBytes extends java.io.OutputStream {
        private byte[] bytes;
        private int size;

        GrowableBytes(int capacity) {
            this.bytes = new byte[capacity];
        }

        @Override
        public void write(int b) {
            if (size == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int offset, int length) {
            if (size + length > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + length));
            }
            System.arraycopy(source, offset, bytes, size, length);
            size += length;
        }

        void reset() {
            size = 0;
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(bytes, size);
        }
    }

    /** One thread's reusable output buffer and encoder. */
    private static final class Buffer {
        private static final byte[] HEADER_PLACEHOLDER = new byte[WireFormat.HEADER_LENGTH];
        private final GrowableBytes out = new GrowableBytes(1024);
        private BinaryEncoder encoder;

        <T> byte[] write(int schemaId, T record, SpecificDatumWriter<T> writer) throws IOException {
            out.reset();
            out.write(HEADER_PLACEHOLDER, 0, HEADER_PLACEHOLDER.length);
            encoder = EncoderFactory.get().directBinaryEncoder(out, encoder);
            writer.write(record, encoder);
            byte[] bytes = out.toByteArray();
            WireFormat.writeHeader(bytes, schemaId);
            return bytes;
        }
    }
}
