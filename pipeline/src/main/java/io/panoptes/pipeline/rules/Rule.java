package io.panoptes.pipeline.rules;

import io.panoptes.avro.EventKind;
import io.panoptes.avro.RuleSpec;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A validated rule: what it watches ({@code kind}), where (stream, label, zone, line) and when it
 * fires (threshold, duration, cooldown). Construction checks that the kind has what it needs, with
 * messages naming the rule and the field.
 *
 * @param stream the stream it applies to; null for every stream (rules of a pipeline apply to its
 *     streams)
 * @param label the class label it applies to; null for any
 * @param threshold COUNT_THRESHOLD: fires when the window's {@code metric} is above it
 * @param duration DWELL: how long a track stays in the zone; ABSENCE: how long the label is not
 *     seen
 * @param cooldown least event time between two firings of the rule on one stream; zero for none
 * @param metric COUNT_THRESHOLD: maxConcurrent (default), uniqueTracks, meanPerFrame, lineIn or
 *     lineOut
 * @param direction LINE_CROSSING: in, out or null for both
 */
public record Rule(
        String id,
        EventKind kind,
        String stream,
        String label,
        String zone,
        String line,
        Double threshold,
        Duration duration,
        Duration cooldown,
        String metric,
        String direction) {

    static final Set<String> METRICS =
            Set.of("maxConcurrent", "uniqueTracks", "meanPerFrame", "lineIn", "lineOut");

    public Rule {
        if (id == null || id.isBlank() || id.contains("/")) {
            throw new IllegalArgumentException("a rule needs an id without '/', got '" + id + "'");
        }
        String what = "rule '" + id + "'";
        if (kind == null || kind == EventKind.UNKNOWN) {
            throw new IllegalArgumentException(
                    what
                            + ": field 'kind' must be one of COUNT_THRESHOLD, LINE_CROSSING, ZONE_ENTER,"
                            + " ZONE_EXIT, DWELL, ABSENCE, CLASSIFIED");
        }
        cooldown = cooldown == null ? Duration.ZERO : cooldown;
        switch (kind) {
            case COUNT_THRESHOLD -> {
                require(what, "threshold", threshold != null);
                metric = metric == null ? "maxConcurrent" : metric;
                if (!METRICS.contains(metric)) {
                    throw new IllegalArgumentException(
                            what
                                    + ": field 'metric' must be one of "
                                    + METRICS
                                    + ", got '"
                                    + metric
                                    + "'");
                }
            }
            case LINE_CROSSING -> {
                require(what, "line", line != null);
                if (direction != null && !direction.equals("in") && !direction.equals("out")) {
                    throw new IllegalArgumentException(
                            what
                                    + ": field 'direction' must be in or out, got '"
                                    + direction
                                    + "'");
                }
            }
            case ZONE_ENTER, ZONE_EXIT -> require(what, "zone", zone != null);
            case DWELL -> {
                require(what, "zone", zone != null);
                require(what, "duration", duration != null && !duration.isZero());
            }
            case ABSENCE -> require(what, "duration", duration != null && !duration.isZero());
            case CLASSIFIED -> {
                // pass/fail inspection: the label is the failing class, the threshold its score
                require(what, "label", label != null);
                threshold = threshold == null ? 0.5 : threshold;
                if (threshold < 0 || threshold > 1) {
                    throw new IllegalArgumentException(
                            what
                                    + ": field 'threshold' must be a score in [0, 1], got "
                                    + threshold);
                }
            }
            default -> throw new IllegalArgumentException(what + ": unsupported kind " + kind);
        }
    }

    private static void require(String what, String field, boolean present) {
        if (!present) {
            throw new IllegalArgumentException(
                    what + ": field '" + field + "' is required for this kind");
        }
    }

    /** The rule a pipeline spec declares, for that pipeline's streams. */
    public static Rule of(RuleSpec spec) {
        Map<String, String> params = spec.getParams();
        return new Rule(
                spec.getId(),
                spec.getKind(),
                null,
                spec.getLabel(),
                spec.getZone(),
                spec.getLine(),
                spec.getThreshold(),
                spec.getDurationMillis() == null
                        ? null
                        : Duration.ofMillis(spec.getDurationMillis()),
                spec.getCooldownMillis() == null
                        ? null
                        : Duration.ofMillis(spec.getCooldownMillis()),
                params.get("metric"),
                params.get("direction") == null
                        ? null
                        : params.get("direction").toLowerCase(Locale.ROOT));
    }

    /** Whether the rule applies to {@code streamId}. */
    public boolean appliesTo(String streamId) {
        return stream == null || stream.equals(streamId);
    }

    public boolean matchesLabel(String other) {
        return label == null || label.equals(other);
    }
}
