package io.panoptes.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.panoptes.avro.DesiredState;
import io.panoptes.avro.EventKind;
import io.panoptes.avro.FramePolicy;
import io.panoptes.avro.Line;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.Point;
import io.panoptes.avro.RuleSpec;
import io.panoptes.avro.Zone;
import io.panoptes.pipeline.PipelineSpecs;
import io.panoptes.pipeline.Violation;
import io.panoptes.pipeline.source.SourcePolicy;
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
 * A pipeline as clients send it: the JSON shape of {@code PipelineSpec} (field names as in the
 * contract; points as {@code {"x":..,"y":..}}), checked field by field so that every refusal names
 * the field. What the spec means (its source, zones, lines and rules) is checked by {@link
 * PipelineSpecs#validate}, which ingest runs again before it starts a pipeline, so that what the
 * API accepts is what runs.
 */
final class PipelineRequest {

    private static final Set<String> FIELDS =
            Set.of(
                    "pipelineId",
                    "source",
                    "sourceOptions",
                    "maxFps",
                    "model",
                    "policy",
                    "maxStalenessMillis",
                    "zones",
                    "lines",
                    "rules",
                    "desiredState");

    private PipelineRequest() {}

    /**
     * The spec {@code body} describes, at version 0 (the store sets versions).
     *
     * @param pathId the id in the URL for updates (the body's, if any, must match), or null on
     *     create
     * @throws HttpProblem 400 naming the field at fault
     */
    static PipelineSpec parse(JsonNode body, String pathId, SourcePolicy sources) {
        if (body == null || !body.isObject()) {
            throw HttpProblem.badRequest("body", "must be a JSON object describing the pipeline");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw HttpProblem.badRequest(
                        name, "unknown field; known fields are " + new TreeSet<>(FIELDS));
            }
        }
        String id = pipelineId(body, pathId);
        String source = requiredText(body, "source");
        PipelineSpec spec =
                PipelineSpec.newBuilder()
                        .setPipelineId(id)
                        .setSource(source)
                        .setSourceOptions(stringMap(body, "sourceOptions"))
                        .setMaxFps(maxFps(body))
                        .setModel(optionalText(body, "model"))
                        .setPolicy(
                                enumValue(body, "policy", FramePolicy.class, FramePolicy.UNKNOWN))
                        .setMaxStalenessMillis(positiveLong(body, "maxStalenessMillis"))
                        .setZones(zones(body.get("zones")))
                        .setLines(lines(body.get("lines")))
                        .setRules(rules(body.get("rules")))
                        .setDesiredState(desiredState(body))
                        .build();
        List<Violation> violations = PipelineSpecs.validate(spec, sources);
        if (!violations.isEmpty()) {
            throw HttpProblem.badRequest(violations.get(0).field(), violations.get(0).message());
        }
        return spec;
    }

    private static String pipelineId(JsonNode body, String pathId) {
        String id = optionalText(body, "pipelineId");
        if (pathId != null) {
            if (id != null && !id.equals(pathId)) {
                throw HttpProblem.badRequest(
                        "pipelineId", "'" + id + "' differs from the URL's '" + pathId + "'");
            }
            return pathId;
        }
        if (id == null) {
            throw HttpProblem.badRequest("pipelineId", "is required");
        }
        return id;
    }

    private static DesiredState desiredState(JsonNode body) {
        DesiredState state =
                enumValue(body, "desiredState", DesiredState.class, DesiredState.RUNNING);
        if (state == DesiredState.UNKNOWN || state == DesiredState.TERMINATED) {
            throw HttpProblem.badRequest(
                    "desiredState",
                    "must be RUNNING or PAUSED (terminate with POST .../terminate)");
        }
        return state;
    }

    private static Double maxFps(JsonNode body) {
        JsonNode node = body.get("maxFps");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw HttpProblem.badRequest(
                    "maxFps",
                    "must be a number in (0, " + (int) PipelineSpecs.MAX_FPS + "], got " + node);
        }
        return node.asDouble();
    }

    private static Long positiveLong(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() <= 0) {
            throw HttpProblem.badRequest(field, "must be a positive whole number, got " + node);
        }
        return node.asLong();
    }

    private static List<Zone> zones(JsonNode node) {
        List<Zone> zones = new ArrayList<>();
        int i = 0;
        for (JsonNode zone : array(node, "zones")) {
            String field = "zones[" + i++ + "]";
            String name = name(zone, field);
            List<Point> polygon = new ArrayList<>();
            int j = 0;
            for (JsonNode point : array(zone.get("polygon"), field + ".polygon")) {
                polygon.add(point(point, field + ".polygon[" + j++ + "]"));
            }
            zones.add(new Zone(name, polygon));
        }
        return zones;
    }

    private static List<Line> lines(JsonNode node) {
        List<Line> lines = new ArrayList<>();
        int i = 0;
        for (JsonNode line : array(node, "lines")) {
            String field = "lines[" + i++ + "]";
            lines.add(
                    new Line(
                            name(line, field),
                            point(line.get("start"), field + ".start"),
                            point(line.get("end"), field + ".end")));
        }
        return lines;
    }

    private static List<RuleSpec> rules(JsonNode node) {
        List<RuleSpec> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode rule : array(node, "rules")) {
            String field = "rules[" + i++ + "]";
            if (rule == null || !rule.isObject()) {
                throw HttpProblem.badRequest(field, "must be an object");
            }
            String id = requiredText(rule, "id", field + ".id");
            rules.add(
                    RuleSpec.newBuilder()
                            .setId(id)
                            .setKind(
                                    enumValue(
                                            rule,
                                            "kind",
                                            EventKind.class,
                                            EventKind.UNKNOWN,
                                            field + ".kind"))
                            .setLabel(optionalText(rule, "label"))
                            .setZone(optionalText(rule, "zone"))
                            .setLine(optionalText(rule, "line"))
                            .setThreshold(number(rule, "threshold", field + ".threshold"))
                            .setDurationMillis(positiveLong(rule, "durationMillis"))
                            .setCooldownMillis(positiveLong(rule, "cooldownMillis"))
                            .setParams(stringMap(rule, "params"))
                            .build());
        }
        return rules;
    }

    private static Double number(JsonNode body, String name, String field) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw HttpProblem.badRequest(field, "must be a number, got " + node);
        }
        return node.asDouble();
    }

    private static Point point(JsonNode node, String field) {
        if (node == null
                || !node.isObject()
                || !node.path("x").isNumber()
                || !node.path("y").isNumber()) {
            throw HttpProblem.badRequest(
                    field, "must be a point {\"x\": number, \"y\": number}, got " + node);
        }
        return new Point(node.get("x").asDouble(), node.get("y").asDouble());
    }

    private static String name(JsonNode item, String field) {
        if (item == null || !item.isObject()) {
            throw HttpProblem.badRequest(field, "must be an object");
        }
        return requiredText(item, "name", field + ".name");
    }

    private static Iterable<JsonNode> array(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw HttpProblem.badRequest(field, "must be an array, got " + node.getNodeType());
        }
        if (node.size() > PipelineSpecs.MAX_ITEMS) {
            throw HttpProblem.badRequest(
                    field, "has " + node.size() + " items; at most " + PipelineSpecs.MAX_ITEMS);
        }
        return node;
    }

    private static Map<String, String> stringMap(JsonNode body, String field) {
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

    private static String requiredText(JsonNode body, String field) {
        return requiredText(body, field, field);
    }

    private static String requiredText(JsonNode body, String name, String field) {
        JsonNode node = body.get(name);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw HttpProblem.badRequest(
                    field,
                    node == null || node.isNull() ? "is required" : "must be a non-empty string");
        }
        return node.asText();
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw HttpProblem.badRequest(field, "must be a string, got " + node.getNodeType());
        }
        return node.asText();
    }

    private static <E extends Enum<E>> E enumValue(
            JsonNode body, String name, Class<E> type, E absent) {
        return enumValue(body, name, type, absent, name);
    }

    private static <E extends Enum<E>> E enumValue(
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
