package io.panoptes.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.panoptes.aggregator.geometry.Geometry;
import io.panoptes.aggregator.rules.Rule;
import io.panoptes.avro.DesiredState;
import io.panoptes.avro.EventKind;
import io.panoptes.avro.FramePolicy;
import io.panoptes.avro.Line;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.Point;
import io.panoptes.avro.RuleSpec;
import io.panoptes.avro.Zone;
import io.panoptes.ingest.source.SourcePolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A pipeline as clients send it: the JSON shape of {@code PipelineSpec} (field names as in the
 * contract; points as {@code {"x":..,"y":..}}), checked field by field so that every refusal names
 * the field. Shapes and rules are checked by the aggregator's own code, so what the API accepts
 * the aggregator runs; sources by the ingest's {@link SourcePolicy}.
 */
final class PipelineRequest {

    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Set<String> FIELDS = Set.of("pipelineId", "source", "sourceOptions", "maxFps", "model", "policy",
            "maxStalenessMillis", "zones", "lines", "rules", "desiredState");

    private PipelineRequest() {}

    /**
     * The spec {@code body} describes, at version 0 (the store sets versions).
     *
     * @param pathId the id in the URL for updates (the body's, if any, must match), or null on create
     * @throws ApiException 400 naming the field at fault
     */
    static PipelineSpec parse(JsonNode body, String pathId, SourcePolicy sources) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("body", "must be a JSON object describing the pipeline");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiException.badRequest(name, "unknown field; known fields are " + new java.util.TreeSet<>(FIELDS));
            }
        }
        String id = pipelineId(body, pathId);
        String source = requiredText(body, "source");
        try {
            sources.check(source);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("source", e.getMessage());
        }
        PipelineSpec spec = PipelineSpec.newBuilder()
                .setPipelineId(id)
                .setSource(source)
                .setSourceOptions(stringMap(body, "sourceOptions"))
                .setMaxFps(maxFps(body))
                .setModel(optionalText(body, "model"))
                .setPolicy(enumValue(body, "policy", FramePolicy.class, FramePolicy.UNKNOWN))
                .setMaxStalenessMillis(positiveLong(body, "maxStalenessMillis"))
                .setZones(zones(body.get("zones")))
                .setLines(lines(body.get("lines")))
                .setRules(rules(body.get("rules")))
                .setDesiredState(desiredState(body))
                .build();
        checkShapesAndRules(spec);
        return spec;
    }

    private static String pipelineId(JsonNode body, String pathId) {
        String id = optionalText(body, "pipelineId");
        if (pathId != null) {
            if (id != null && !id.equals(pathId)) {
                throw ApiException.badRequest("pipelineId", "'" + id + "' differs from the URL's '" + pathId + "'");
            }
            return pathId;
        }
        if (id == null) {
            throw ApiException.badRequest("pipelineId", "is required");
        }
        if (!ID.matcher(id).matches()) {
            throw ApiException.badRequest("pipelineId", "'" + id + "' must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return id;
    }

    private static DesiredState desiredState(JsonNode body) {
        DesiredState state = enumValue(body, "desiredState", DesiredState.class, DesiredState.RUNNING);
        if (state == DesiredState.UNKNOWN || state == DesiredState.TERMINATED) {
            throw ApiException.badRequest("desiredState", "must be RUNNING or PAUSED (terminate with POST .../terminate)");
        }
        return state;
    }

    private static Double maxFps(JsonNode body) {
        JsonNode node = body.get("maxFps");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber() || !(node.asDouble() > 0 && node.asDouble() <= 1000)) {
            throw ApiException.badRequest("maxFps", "must be a number in (0, 1000], got " + node);
        }
        return node.asDouble();
    }

    private static Long positiveLong(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() <= 0) {
            throw ApiException.badRequest(field, "must be a positive whole number, got " + node);
        }
        return node.asLong();
    }

    private static List<Zone> zones(JsonNode node) {
        List<Zone> zones = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int i = 0;
        for (JsonNode zone : array(node, "zones")) {
            String field = "zones[" + i++ + "]";
            String name = uniqueName(zone, field, names);
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
        Set<String> names = new HashSet<>();
        int i = 0;
        for (JsonNode line : array(node, "lines")) {
            String field = "lines[" + i++ + "]";
            lines.add(new Line(uniqueName(line, field, names), point(line.get("start"), field + ".start"),
                    point(line.get("end"), field + ".end")));
        }
        return lines;
    }

    private static List<RuleSpec> rules(JsonNode node) {
        List<RuleSpec> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int i = 0;
        for (JsonNode rule : array(node, "rules")) {
            String field = "rules[" + i++ + "]";
            String id = requiredText(rule, "id", field + ".id");
            if (!ids.add(id)) {
                throw ApiException.badRequest(field + ".id", "'" + id + "' is used by an earlier rule");
            }
            rules.add(RuleSpec.newBuilder().setId(id)
                    .setKind(enumValue(rule, "kind", EventKind.class, EventKind.UNKNOWN, field + ".kind"))
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

    /** Zones, lines and rules as the aggregator would build them; references to unknown zones or lines refused. */
    private static void checkShapesAndRules(PipelineSpec spec) {
        List<String> invalid = new ArrayList<>();
        Geometry.of(spec, invalid::add);
        if (!invalid.isEmpty()) {
            throw ApiException.badRequest(invalid.get(0).contains("zone") ? "zones" : "lines", invalid.get(0));
        }
        Set<String> zones = new HashSet<>();
        spec.getZones().forEach(z -> zones.add(z.getName()));
        Set<String> lines = new HashSet<>();
        spec.getLines().forEach(l -> lines.add(l.getName()));
        for (int i = 0; i < spec.getRules().size(); i++) {
            RuleSpec rule = spec.getRules().get(i);
            String field = "rules[" + i + "]";
            if (rule.getZone() != null && !zones.contains(rule.getZone())) {
                throw ApiException.badRequest(field + ".zone", "no zone named '" + rule.getZone() + "' in this pipeline");
            }
            if (rule.getLine() != null && !lines.contains(rule.getLine())) {
                throw ApiException.badRequest(field + ".line", "no line named '" + rule.getLine() + "' in this pipeline");
            }
            try {
                Rule.of(rule);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(field, e.getMessage());
            }
        }
    }

    private static Double number(JsonNode body, String name, String field) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw ApiException.badRequest(field, "must be a number, got " + node);
        }
        return node.asDouble();
    }

    private static Point point(JsonNode node, String field) {
        if (node == null || !node.isObject() || !node.path("x").isNumber() || !node.path("y").isNumber()) {
            throw ApiException.badRequest(field, "must be a point {\"x\": number, \"y\": number}, got " + node);
        }
        return new Point(node.get("x").asDouble(), node.get("y").asDouble());
    }

    private static String uniqueName(JsonNode item, String field, Set<String> names) {
        if (item == null || !item.isObject()) {
            throw ApiException.badRequest(field, "must be an object");
        }
        String name = requiredText(item, "name", field + ".name");
        if (!names.add(name)) {
            throw ApiException.badRequest(field + ".name", "'" + name + "' is used twice");
        }
        return name;
    }

    private static Iterable<JsonNode> array(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ApiException.badRequest(field, "must be an array, got " + node.getNodeType());
        }
        if (node.size() > 1000) {
            throw ApiException.badRequest(field, "has " + node.size() + " items; at most 1000");
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
            throw ApiException.badRequest(field, "must be an object of strings");
        }
        node.fields().forEachRemaining(e -> {
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw ApiException.badRequest(field + "." + e.getKey(), "must be a string");
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
            throw ApiException.badRequest(field, node == null || node.isNull() ? "is required" : "must be a non-empty string");
        }
        return node.asText();
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest(field, "must be a string, got " + node.getNodeType());
        }
        return node.asText();
    }

    private static <E extends Enum<E>> E enumValue(JsonNode body, String name, Class<E> type, E absent) {
        return enumValue(body, name, type, absent, name);
    }

    private static <E extends Enum<E>> E enumValue(JsonNode body, String name, Class<E> type, E absent, String field) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return absent;
        }
        try {
            E value = Enum.valueOf(type, node.asText().toUpperCase(java.util.Locale.ROOT));
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
            throw ApiException.badRequest(field, "'" + node.asText() + "' is not one of " + known);
        }
    }
}
