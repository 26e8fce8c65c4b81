package io.panoptes.api;

import static io.panoptes.api.JsonFields.array;
import static io.panoptes.api.JsonFields.enumValue;
import static io.panoptes.api.JsonFields.number;
import static io.panoptes.api.JsonFields.optionalText;
import static io.panoptes.api.JsonFields.positiveLong;
import static io.panoptes.api.JsonFields.requiredText;
import static io.panoptes.api.JsonFields.stringMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.panoptes.avro.CascadeSpec;
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
import java.util.List;
import java.util.Set;

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
                    "cascade",
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
        JsonFields.requireKnownFields(body, FIELDS, "pipeline");
        String id = JsonFields.id(body, "pipelineId", pathId);
        String source = requiredText(body, "source");
        PipelineSpec spec =
                PipelineSpec.newBuilder()
                        .setPipelineId(id)
                        .setSource(source)
                        .setSourceOptions(stringMap(body, "sourceOptions"))
                        .setMaxFps(maxFps(body))
                        .setModel(optionalText(body, "model"))
                        .setCascade(cascade(body.get("cascade")))
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

    private static CascadeSpec cascade(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw HttpProblem.badRequest(
                    "cascade",
                    "must be an object {\"model\", \"labels\", \"maxCrops\", \"padding\"}");
        }
        Integer maxCrops = JsonFields.positiveInt(node, "maxCrops");
        Float padding = JsonFields.fraction(node, "padding");
        return CascadeSpec.newBuilder()
                .setModel(requiredText(node, "model", "cascade.model"))
                .setLabels(JsonFields.strings(node, "labels"))
                .setMaxCrops(maxCrops == null ? 16 : maxCrops)
                .setPadding(padding == null ? 0f : padding)
                .build();
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
}
