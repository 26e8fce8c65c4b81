package io.panoptes.pipeline.rules;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.panoptes.avro.EventKind;
import io.panoptes.pipeline.geometry.Geometry;
import io.panoptes.runtime.config.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Rules from a YAML (or JSON) file, validated when loaded: an unknown field, an unknown kind, a bad
 * duration, a missing field or a zone or line that no configured stream has is refused with the
 * file, the rule and the field.
 *
 * <pre>
 * rules:
 *   - id: crowd-at-door          # COUNT_THRESHOLD: more than 5 people in zone door within a window
 *     kind: COUNT_THRESHOLD
 *     stream: cam-1              # optional: every stream when left out
 *     label: person
 *     zone: door
 *     threshold: 5
 *     cooldown: 5m
 *   - id: conveyor-stopped       # ABSENCE: no box seen for 10 s
 *     kind: ABSENCE
 *     label: box
 *     duration: 10s
 * </pre>
 */
public final class RuleFile {

    private RuleFile() {}

    /** One rule as written. */
    record Entry(
            @JsonProperty("id") String id,
            @JsonProperty("kind") String kind,
            @JsonProperty("stream") String stream,
            @JsonProperty("label") String label,
            @JsonProperty("zone") String zone,
            @JsonProperty("line") String line,
            @JsonProperty("threshold") Double threshold,
            @JsonProperty("duration") String duration,
            @JsonProperty("cooldown") String cooldown,
            @JsonProperty("metric") String metric,
            @JsonProperty("direction") String direction) {}

    record Document(@JsonProperty("rules") List<Entry> rules) {}

    /**
     * @param geometry the zones and lines configured per stream, which the rules' zones and lines
     *     must name
     * @throws IllegalArgumentException naming the file, the rule and what is wrong
     */
    public static List<Rule> load(Path file, Map<String, Geometry> geometry) {
        Document document;
        try {
            ObjectMapper mapper =
                    new ObjectMapper(new YAMLFactory())
                            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
            document = mapper.readValue(Files.readAllBytes(file), Document.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(
                    "rules file "
                            + file
                            + ": unknown field '"
                            + e.getPropertyName()
                            + "' at line "
                            + e.getLocation().getLineNr()
                            + " (known fields: "
                            + e.getKnownPropertyIds()
                            + ")",
                    e);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "rules file " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (document == null || document.rules() == null) {
            throw new IllegalArgumentException("rules file " + file + " has no 'rules' list");
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < document.rules().size(); i++) {
            Entry entry = document.rules().get(i);
            String what =
                    "rules file "
                            + file
                            + ", rule "
                            + (entry.id() == null ? "#" + (i + 1) : "'" + entry.id() + "'");
            try {
                Rule rule = rule(entry);
                checkShapes(rule, geometry);
                if (!ids.add(rule.id())) {
                    throw new IllegalArgumentException("rule '" + rule.id() + "' is defined twice");
                }
                rules.add(rule);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
            }
        }
        return rules;
    }

    private static Rule rule(Entry e) {
        EventKind kind;
        try {
            kind = e.kind() == null ? null : EventKind.valueOf(e.kind().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("field 'kind': unknown kind '" + e.kind() + "'");
        }
        return new Rule(
                e.id(),
                kind,
                e.stream(),
                e.label(),
                e.zone(),
                e.line(),
                e.threshold(),
                duration("duration", e.duration()),
                duration("cooldown", e.cooldown()),
                e.metric(),
                e.direction() == null ? null : e.direction().toLowerCase(Locale.ROOT));
    }

    private static java.time.Duration duration(String field, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("field '" + field + "': " + ex.getMessage());
        }
    }

    /**
     * A rule's zone and line must exist on its stream (or, for a rule of every stream, on some
     * stream).
     */
    private static void checkShapes(Rule rule, Map<String, Geometry> geometry) {
        List<Geometry> candidates =
                rule.stream() == null
                        ? List.copyOf(geometry.values())
                        : List.of(geometry.getOrDefault(rule.stream(), Geometry.NONE));
        if (rule.zone() != null
                && candidates.stream()
                        .noneMatch(
                                g ->
                                        g.zones().stream()
                                                .anyMatch(z -> z.name().equals(rule.zone())))) {
            throw new IllegalArgumentException(
                    "unknown zone '"
                            + rule.zone()
                            + "'"
                            + (rule.stream() == null ? "" : " on stream " + rule.stream())
                            + ": configure it with --zone");
        }
        if (rule.line() != null
                && candidates.stream()
                        .noneMatch(
                                g ->
                                        g.lines().stream()
                                                .anyMatch(l -> l.name().equals(rule.line())))) {
            throw new IllegalArgumentException(
                    "unknown line '"
                            + rule.line()
                            + "'"
                            + (rule.stream() == null ? "" : " on stream " + rule.stream())
                            + ": configure it with --line");
        }
    }
}
