package io.panoptes.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.avro.FrameEncoding;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.schemas.Evolution;
import io.panoptes.schemas.SampleRecords;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.registry.RegistryClientConfig;
import io.panoptes.schemas.registry.RestSchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private static final String TOPIC = "panoptes.frames";

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerde<Frame> frames = AvroSerde.of(Frame.class, registry);

    @Test
    void shouldRoundTripAndRegisterUnderTheTopicNameStrategy() {
        Frame frame = SampleRecords.frame(3);

        byte[] bytes = frames.serializer().serialize(TOPIC, frame);

        assertThat(bytes[0]).isZero();
        assertThat(WireFormat.schemaId(bytes))
                .isEqualTo(registry.latest("panoptes.frames-value").id());
        assertThat(frames.deserializer().deserialize(TOPIC, bytes)).isEqualTo(frame);
    }

    @Test
    void shouldPassTombstonesThrough() {
        assertThat(frames.serializer().serialize(TOPIC, null)).isNull();
        assertThat(frames.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void shouldRefuseToWriteWhenTheSchemaIsNotRegisteredAndAutoRegistrationIsOff() {
        AvroSerializer<Frame> serializer = new AvroSerializer<>(registry, Frame.class, false);

        assertThatThrownBy(() -> serializer.serialize(TOPIC, SampleRecords.frame(0)))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("not registered under panoptes.frames-value");
    }

    @Test
    void shouldNameTheTopicAndRegistryWhenTheRegistryIsUnreachable() {
        var unreachable =
                new RestSchemaRegistryClient(
                        RegistryClientConfig.builder("http://127.0.0.1:1")
                                .maxAttempts(2)
                                .initialBackoff(Duration.ofMillis(10))
                                .build());
        AvroSerializer<Frame> serializer = AvroSerializer.of(Frame.class, unreachable);

        assertThatThrownBy(() -> serializer.serialize(TOPIC, SampleRecords.frame(0)))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("topic panoptes.frames")
                .hasMessageContaining("http://127.0.0.1:1 unavailable")
                .hasMessageContaining("after 2 attempt(s)");
    }

    @Test
    void shouldRejectAValueTooShortForTheHeader() {
        assertThatThrownBy(() -> frames.deserializer().deserialize(TOPIC, new byte[] {0, 0, 1}))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("topic panoptes.frames")
                .hasMessageContaining("3 byte(s) is too short");
    }

    @Test
    void shouldRejectAValueWithoutTheMagicByte() {
        byte[] json = "{\"streamId\":\"cam-1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThatThrownBy(() -> frames.deserializer().deserialize(TOPIC, json))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("byte 0x7b, not the magic byte 0x00");
    }

    @Test
    void shouldRejectAnUnknownSchemaId() {
        assertThatThrownBy(
                        () ->
                                frames.deserializer()
                                        .deserialize(
                                                TOPIC, new byte[] {0, 0, 0, 0x30, 0x39, 2, 'a'}))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("unknown schema id 12345");
    }

    @Test
    void shouldRejectATruncatedPayload() {
        byte[] bytes = frames.serializer().serialize(TOPIC, SampleRecords.frame(1));

        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 20);

        assertThatThrownBy(() -> frames.deserializer().deserialize(TOPIC, truncated))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("truncated or corrupt Avro data for schema id");
    }

    @Test
    void shouldRejectStrayBytesAfterTheRecord() {
        byte[] bytes = frames.serializer().serialize(TOPIC, SampleRecords.frame(1));

        byte[] padded = Arrays.copyOf(bytes, bytes.length + 3);

        assertThatThrownBy(() -> frames.deserializer().deserialize(TOPIC, padded))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("stray bytes");
    }

    @Test
    void shouldRejectGarbageAfterAValidHeader() {
        byte[] bytes = frames.serializer().serialize(TOPIC, SampleRecords.frame(1));
        byte[] garbage = new byte[64];
        new java.util.Random(7).nextBytes(garbage);
        System.arraycopy(bytes, 0, garbage, 0, WireFormat.HEADER_LENGTH);

        assertThatThrownBy(() -> frames.deserializer().deserialize(TOPIC, garbage))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("topic panoptes.frames");
    }

    @Test
    void shouldRejectAnAbsurdLength() {
        // streamId claims 1 GiB of characters in a 12-byte value
        byte[] bytes = frames.serializer().serialize(TOPIC, SampleRecords.frame(1));
        byte[] absurd = {
            bytes[0],
            bytes[1],
            bytes[2],
            bytes[3],
            bytes[4],
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            0x08,
            'c',
            'a'
        };

        assertThatThrownBy(() -> frames.deserializer().deserialize(TOPIC, absurd))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("truncated or corrupt");
    }

    @Test
    void shouldRejectAValueOfAnotherRecordType() {
        byte[] detections =
                AvroSerializer.of(Detections.class, registry)
                        .serialize("panoptes.detections", SampleRecords.detections(0));
        AvroDeserializer<PipelineSpec> specs = AvroDeserializer.of(PipelineSpec.class, registry);

        assertThatThrownBy(() -> specs.deserialize("panoptes.pipelines", detections))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("topic panoptes.pipelines")
                .hasMessageContaining(
                        "(io.panoptes.avro.Detections) cannot be read as io.panoptes.avro.PipelineSpec");
        // the verdict is cached, and still explained
        assertThatThrownBy(() -> specs.deserialize("panoptes.pipelines", detections))
                .hasMessageContaining("cannot be read as io.panoptes.avro.PipelineSpec");
    }

    @Test
    void shouldNamePartitionAndOffsetForConsumerRecords() {
        var record =
                new ConsumerRecord<String, byte[]>(
                        TOPIC, 4, 1234L, "cam-1", new byte[] {9, 9, 9, 9, 9, 9});

        assertThatThrownBy(() -> frames.deserializer().deserialize(record))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("topic panoptes.frames partition 4 offset 1234");
    }

    @Test
    void shouldReadNewerDataWithTheOlderSchema() throws Exception {
        Schema v2 = Evolution.frameV2();
        int v2Id =
                registry.register("panoptes.frames-value", Frame.getClassSchema()) > 0
                        ? registry.register("panoptes.frames-value", v2)
                        : -1;
        GenericRecord record = genericCopy(SampleRecords.frame(5), v2);
        record.put("roi", "0,0,100,100");
        record.put(
                "encoding", new GenericData.EnumSymbol(v2.getField("encoding").schema(), "WEBP"));

        Frame read = frames.deserializer().deserialize(TOPIC, wire(v2Id, v2, record));

        assertThat(read.getSeq()).isEqualTo(5);
        assertThat(read.getStreamId()).isEqualTo("cam-1");
        assertThat(read.getEncoding())
                .isEqualTo(FrameEncoding.UNKNOWN); // the enum's default symbol
    }

    @Test
    void shouldReadOlderDataWithTheNewerSchema() throws Exception {
        Schema v2 = Evolution.frameV2();
        byte[] v1Bytes = frames.serializer().serialize(TOPIC, SampleRecords.frame(6));
        Schema writer = registry.schemaById(WireFormat.schemaId(v1Bytes));

        GenericRecord read =
                new GenericDatumReader<GenericRecord>(writer, v2)
                        .read(
                                null,
                                DecoderFactory.get()
                                        .binaryDecoder(v1Bytes, 5, v1Bytes.length - 5, null));

        assertThat(read.get("roi")).isNull();
        assertThat(read.get("seq")).isEqualTo(6L);
        assertThat(read.get("encoding").toString()).isEqualTo("JPEG");
    }

    static GenericRecord genericCopy(Frame frame, Schema schema) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<Frame>(Frame.getClassSchema())
                .write(frame, encoder);
        encoder.flush();
        return new GenericDatumReader<GenericRecord>(Frame.getClassSchema(), schema)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }

    static byte[] wire(int schemaId, Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(schemaId).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
