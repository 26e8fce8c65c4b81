package io.panoptes.schemas.json;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Contract records as plain JSON for HTTP clients: fields by their Avro names, unions as their
 * value (no Avro {@code {"string": ...}} wrapping), enums by name, timestamps as ISO-8601 and bytes
 * as base64. Avro's own JSON encoding keeps union branches, which no REST client expects.
 */
public final class AvroJson {

    private AvroJson() {}

    /** {@code record} as maps, lists, strings, numbers and booleans, ready for Jackson. */
    public static Map<String, Object> toMap(GenericRecord record) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Schema.Field field : record.getSchema().getFields()) {
            map.put(field.name(), value(record.get(field.pos())));
        }
        return map;
    }

    private static Object value(Object value) {
        if (value instanceof GenericRecord record) {
            return toMap(record);
        }
        if (value instanceof Instant instant) {
            return instant.toString();
        }
        if (value instanceof CharSequence
                || value instanceof Enum<?>
                || value instanceof org.apache.avro.generic.GenericEnumSymbol<?>) {
            return value.toString();
        }
        if (value instanceof ByteBuffer bytes) {
            ByteBuffer copy = bytes.duplicate();
            byte[] raw = new byte[copy.remaining()];
            copy.get(raw);
            return Base64.getEncoder().encodeToString(raw);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k.toString(), value(v)));
            return copy;
        }
        if (value instanceof Collection<?> items) {
            List<Object> copy = new ArrayList<>(items.size());
            items.forEach(item -> copy.add(value(item)));
            return copy;
        }
        return value; // numbers, booleans, null
    }
}
