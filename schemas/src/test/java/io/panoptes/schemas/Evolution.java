package io.panoptes.schemas;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.panoptes.avro.Frame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;
import org.apache.avro.Schema;

/**
 * Variants of the Frame schema, as a later (or careless) version of the contract would write them.
 */
public final class Evolution {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Evolution() {}

    /**
     * v2: a new optional field {@code roi} with a default, and a new encoding symbol {@code WEBP}.
     */
    public static Schema frameV2() {
        return edit(
                frame -> {
                    ((ArrayNode) frame.get("fields"))
                            .addObject()
                            .put("name", "roi")
                            .put("doc", "Region of interest")
                            .putNull("default")
                            .putArray("type")
                            .add("null")
                            .add("string");
                    ObjectNode encoding = fieldType(frame, "encoding");
                    ((ArrayNode) encoding.get("symbols")).add("WEBP");
                });
    }

    /** A careless change: a new required field without default. */
    public static Schema frameWithRequiredField() {
        return edit(
                frame ->
                        ((ArrayNode) frame.get("fields"))
                                .addObject()
                                .put("name", "cameraSerial")
                                .put("type", "string"));
    }

    /** A careless change: {@code seq} becomes a string. */
    public static Schema frameWithSeqAsString() {
        return edit(
                frame -> {
                    for (var field : frame.get("fields")) {
                        if (field.get("name").asText().equals("seq")) {
                            ((ObjectNode) field).put("type", "string");
                        }
                    }
                });
    }

    private static ObjectNode fieldType(ObjectNode record, String field) {
        for (var f : record.get("fields")) {
            if (f.get("name").asText().equals(field)) {
                return (ObjectNode) f.get("type");
            }
        }
        throw new IllegalArgumentException(field);
    }

    private static Schema edit(Consumer<ObjectNode> change) {
        try {
            ObjectNode frame = (ObjectNode) JSON.readTree(Frame.getClassSchema().toString());
            change.accept(frame);
            return new Schema.Parser().parse(JSON.writeValueAsString(frame));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
