package io.panoptes.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.panoptes.pipeline.PipelineSpecs;
import io.panoptes.runtime.http.HttpProblem;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reading the fields of a JSON request body as the contract's types, each refusal a 400 naming the
 * field: the helpers {@link PipelineRequest} and {@link ModelRequest} share.
 */
final class JsonFields {

    private JsonFields() {}

    /** Refuses a body that is not an object, or that holds a field not in {@code known}. */
    static void requireKnownFields(JsonNode body, Set<String> known, String what) {
        if (body == null || !body.isObject()) {
            throw HttpProblem.badRequest("body", "must be a JSON object describing the " + what);
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw HttpProblem.badRequest(
                        name, "unknown field; known fields are " + new TreeSet<>(known));
            }
        }
    }

    /**
     * The id of the thing {@code body} describes: the URL's ({@code pathId}, which the body's, if
     * any, must equal) or, on create ({@code pathId} null), the body's, which is then required.
     */
    static String id(JsonNode body, String field, String pathId) {
        String id = optionalText(body, field);
        if (pathId != null) {
            if (id != null && !id.equals(pathId)) {
                throw HttpProblem.badRequest(
                        field, "'" + id + "' differs from the URL's '" + pathId + "'");
            }
            return pathId;
        }
        if (id == null) {
            throw HttpProblem.badRequest(field, "is required");
        }
        return id;
    }

    static Integer positiveInt(JsonNode body, String field) {
        Long value = positiveLong(body, field);
        if (value != null && value > Integer.MAX_VALUE) {
            throw HttpProblem.badRequest(field, "must be at most " + Integer.MAX_VALUE);
        }
        return value == null ? null : value.intValue();
    }

    static Float fraction(JsonNode body, String field) {
        Double value = number(body, field, field);
        return value == null ? null : value.floatValue();
    }

    static List<String> strings(JsonNode body, String field) {
        List<String> values = new ArrayList<>();
        int i = 0;
        for (JsonNode item : array(body.get(field), field, Integer.MAX_VALUE)) {
            if (!item.isTextual()) {
                throw HttpProblem.badRequest(field + "[" + i + "]", "must be a string");
            }
            values.add(item.asText());
            i++;
        }
        return values;
    }

    static Long positiveLong(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() <= 0) {
            throw HttpProblem.badRequest(field, "must be a positive whole number, got " + node);
        }
        return node.asLong();
    }

    static Double number(JsonNode body, String name, String field) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw HttpProblem.badRequest(field, "must be a number, got " + node);
        }
        return node.asDouble();
    }

    static Iterable<JsonNode> array(JsonNode node, String field) {
        return array(node, field, PipelineSpecs.MAX_ITEMS);
    }

    static Iterable<JsonNode> array(JsonNode node, String field, int maxItems) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw HttpProblem.badRequest(field, "must be an array, got " + node.getNodeType());
        }
        if (node.size() > maxItems) {
            throw HttpProblem.badRequest(
                    field, "has " + node.size() + " items; at most " + maxItems);
        }
        return node;
    }

    static Map<String, String> stringMap(JsonNode body, String field) {
        JsonNode node = body.get(field);
        Map<String, String> map = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return map;
        }
        if (!node.isObject()) {
            throw HttpProblem.badRequest(field, "must be an object of strings");
        }
        node.fields()
                .forEachRemaining(
                        e -> {
                            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                                throw HttpProblem.badRequest(
                                        field + "." + e.getKey(), "must be a string");
                            }
                            map.put(e.getKey(), e.getValue().asText());
                        });
        return map;
    }

    static String requiredText(JsonNode body, String field) {
        return requiredText(body, field, field);
    }

    static String requiredText(JsonNode body, String name, String field) {
        JsonNode node = body.get(name);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw HttpProblem.badRequest(
                    field,
                    node == null || node.isNull() ? "is required" : "must be a non-empty string");
        }
        return node.asText();
    }

    static String optionalText(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw HttpProblem.badRequest(field, "must be a string, got " + node.getNodeType());
        }
        return node.asText();
    }

    static <E extends Enum<E>> E enumValue(JsonNode body, String name, Class<E> type, E absent) {
        return enumValue(body, name, type, absent, name);
    }

    static <E extends Enum<E>> E enumValue(
            JsonNode body, String name, Class<E> type, E absent, String field) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return absent;
        }
        try {
            E value = Enum.valueOf(type, node.asText().toUpperCase(Locale.ROOT));
            if (value.name().equals("UNKNOWN")) {
                throw new IllegalArgumentException();
            }
            return value;
        } catch (IllegalArgumentException e) {
            List<String> known = new ArrayList<>();
            for (E constant : type.getEnumConstants()) {
                if (!constant.name().equals("UNKNOWN")) {
                    known.add(constant.name());
                }
            }
            throw HttpProblem.badRequest(field, "'" + node.asText() + "' is not one of " + known);
        }
    }
}
