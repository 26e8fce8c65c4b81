package io.panoptes.pipeline;

import io.panoptes.avro.CascadeSpec;
import io.panoptes.avro.DesiredState;
import io.panoptes.avro.Line;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.RuleSpec;
import io.panoptes.avro.Zone;
import io.panoptes.pipeline.geometry.DirectedLine;
import io.panoptes.pipeline.geometry.Polygon;
import io.panoptes.pipeline.rules.Rule;
import io.panoptes.pipeline.source.SourcePolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a valid {@link PipelineSpec} is, in one place: the API checks a spec with {@link #validate}
 * before it stores it, ingest checks it again before it runs it, and the aggregator builds its
 * zones, lines and rules with the same classes, so that what is accepted is what runs.
 */
public final class PipelineSpecs {

    /** Pipeline ids: 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Most zones, lines or rules one pipeline may have. */
    public static final int MAX_ITEMS = 1000;

    /** Highest {@code maxFps}. */
    public static final double MAX_FPS = 1000;

    private PipelineSpecs() {}

    /**
     * Everything wrong with {@code spec} under {@code policy}, each naming its field; empty when it
     * is valid.
     */
    public static List<Violation> validate(PipelineSpec spec, SourcePolicy policy) {
        List<Violation> violations = new ArrayList<>();
        if (!ID.matcher(spec.getPipelineId()).matches()) {
            violations.add(
                    new Violation(
                            "pipelineId",
                            "'"
                                    + spec.getPipelineId()
                                    + "' must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit"));
        }
        checkSource(spec, policy, violations);
        if (spec.getMaxFps() != null && !(spec.getMaxFps() > 0 && spec.getMaxFps() <= MAX_FPS)) {
            violations.add(
                    new Violation(
                            "maxFps",
                            "must be a number in (0, "
                                    + (int) MAX_FPS
                                    + "], got "
                                    + spec.getMaxFps()));
        }
        if (spec.getMaxStalenessMillis() != null && spec.getMaxStalenessMillis() <= 0) {
            violations.add(
                    new Violation(
                            "maxStalenessMillis",
                            "must be a positive whole number, got "
                                    + spec.getMaxStalenessMillis()));
        }
        checkCascade(spec, violations);
        Set<String> zones = checkZones(spec.getZones(), violations);
        Set<String> lines = checkLines(spec.getLines(), violations);
        checkRules(spec.getRules(), zones, lines, violations);
        return violations;
    }

    /** The violations as one line, e.g. for a FAILED status. */
    public static String describe(List<Violation> violations) {
        return String.join("; ", violations.stream().map(Violation::toString).toList());
    }

    /** UNKNOWN (a spec written without a desired state) means RUNNING. */
    public static DesiredState desired(PipelineSpec spec) {
        return spec.getDesiredState() == DesiredState.UNKNOWN
                ? DesiredState.RUNNING
                : spec.getDesiredState();
    }

    /**
     * Whether two versions read the same frames the same way; zones, lines and rules are the
     * aggregator's.
     */
    public static boolean sameSource(PipelineSpec a, PipelineSpec b) {
        return a.getSource().equals(b.getSource())
                && a.getSourceOptions().equals(b.getSourceOptions())
                && Objects.equals(a.getMaxFps(), b.getMaxFps())
                && Objects.equals(a.getModel(), b.getModel());
    }

    private static void checkSource(
            PipelineSpec spec, SourcePolicy policy, List<Violation> violations) {
        if (spec.getSource().isBlank()) {
            violations.add(new Violation("source", "is required"));
            return;
        }
        try {
            policy.check(spec.getSource());
        } catch (IllegalArgumentException e) {
            violations.add(new Violation("source", e.getMessage()));
        }
    }

    /** Most crops a cascade may take from one frame. */
    public static final int MAX_CROPS = 256;

    private static void checkCascade(PipelineSpec spec, List<Violation> violations) {
        CascadeSpec cascade = spec.getCascade();
        if (cascade == null) {
            return;
        }
        if (!ID.matcher(cascade.getModel()).matches()) {
            violations.add(
                    new Violation(
                            "cascade.model",
                            "'"
                                    + cascade.getModel()
                                    + "' is not a model id (letters, digits, '.', '_', '-')"));
        }
        if (cascade.getLabels().size() > MAX_ITEMS) {
            violations.add(new Violation("cascade.labels", "at most " + MAX_ITEMS + " labels"));
        }
        if (cascade.getMaxCrops() < 1 || cascade.getMaxCrops() > MAX_CROPS) {
            violations.add(
                    new Violation(
                            "cascade.maxCrops",
                            "must be in [1, " + MAX_CROPS + "], got " + cascade.getMaxCrops()));
        }
        if (!(cascade.getPadding() >= 0 && cascade.getPadding() <= 1)) {
            violations.add(
                    new Violation(
                            "cascade.padding",
                            "must be a fraction of the box in [0, 1], got "
                                    + cascade.getPadding()));
        }
    }

    private static Set<String> checkZones(List<Zone> zones, List<Violation> violations) {
        Set<String> names = new HashSet<>();
        if (tooMany("zones", zones, violations)) {
            return names;
        }
        for (int i = 0; i < zones.size(); i++) {
            Zone zone = zones.get(i);
            String field = "zones[" + i + "]";
            if (unique(zone.getName(), field, names, violations)) {
                try {
                    Polygon.of(
                            zone.getName(),
                            zone.getPolygon().stream()
                                    .map(p -> new double[] {p.getX(), p.getY()})
                                    .toList());
                } catch (IllegalArgumentException e) {
                    violations.add(new Violation(field + ".polygon", e.getMessage()));
                }
            }
        }
        return names;
    }

    private static Set<String> checkLines(List<Line> lines, List<Violation> violations) {
        Set<String> names = new HashSet<>();
        if (tooMany("lines", lines, violations)) {
            return names;
        }
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            String field = "lines[" + i + "]";
            if (unique(line.getName(), field, names, violations)) {
                try {
                    new DirectedLine(
                            line.getName(),
                            line.getStart().getX(),
                            line.getStart().getY(),
                            line.getEnd().getX(),
                            line.getEnd().getY());
                } catch (IllegalArgumentException e) {
                    violations.add(new Violation(field, e.getMessage()));
                }
            }
        }
        return names;
    }

    private static void checkRules(
            List<RuleSpec> rules,
            Set<String> zones,
            Set<String> lines,
            List<Violation> violations) {
        if (tooMany("rules", rules, violations)) {
            return;
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            RuleSpec rule = rules.get(i);
            String field = "rules[" + i + "]";
            if (!ids.add(rule.getId())) {
                violations.add(
                        new Violation(
                                field + ".id",
                                "'" + rule.getId() + "' is used by an earlier rule"));
            } else if (rule.getZone() != null && !zones.contains(rule.getZone())) {
                violations.add(
                        new Violation(
                                field + ".zone",
                                "no zone named '" + rule.getZone() + "' in this pipeline"));
            } else if (rule.getLine() != null && !lines.contains(rule.getLine())) {
                violations.add(
                        new Violation(
                                field + ".line",
                                "no line named '" + rule.getLine() + "' in this pipeline"));
            } else {
                try {
                    Rule.of(rule);
                } catch (IllegalArgumentException e) {
                    violations.add(new Violation(field, e.getMessage()));
                }
            }
        }
    }

    private static boolean unique(
            String name, String field, Set<String> names, List<Violation> violations) {
        if (name == null || name.isBlank()) {
            violations.add(new Violation(field + ".name", "is required"));
            return false;
        }
        if (!names.add(name)) {
            violations.add(new Violation(field + ".name", "'" + name + "' is used twice"));
            return false;
        }
        return true;
    }

    private static boolean tooMany(String field, List<?> items, List<Violation> violations) {
        if (items.size() > MAX_ITEMS) {
            violations.add(
                    new Violation(field, "has " + items.size() + " items; at most " + MAX_ITEMS));
            return true;
        }
        return false;
    }
}
