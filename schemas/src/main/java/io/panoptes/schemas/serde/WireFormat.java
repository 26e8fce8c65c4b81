package io.panoptes.schemas.serde;

/**
 * The Confluent wire format of a value: magic byte 0, the writer schema's registry id as a 4-byte
 * big-endian int, then the Avro binary encoding of the record.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_LENGTH = 5;

    private WireFormat() {}

    /** The subject of a topic's values under the TopicNameStrategy. */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    /**
     * The schema id of {@code data}.
     *
     * @throws IllegalArgumentException naming what is wrong when {@code data} is not in this format
     */
    public static int schemaId(byte[] data) {
        if (data.length < HEADER_LENGTH) {
            throw new IllegalArgumentException(
                    "value of "
                            + data.length
                            + " byte(s) is too short for the Confluent"
                            + " wire format (magic byte and 4-byte schema id, then the Avro record)");
        }
        if (data[0] != MAGIC_BYTE) {
            throw new IllegalArgumentException(
                    String.format(
                            "value starts with byte 0x%02x, not the magic byte 0x00"
                                    + " of the Confluent wire format: it was not written by a schema-registry Avro serializer",
                            data[0] & 0xff));
        }
        return ((data[1] & 0xff) << 24)
                | ((data[2] & 0xff) << 16)
                | ((data[3] & 0xff) << 8)
                | (data[4] & 0xff);
    }
}
