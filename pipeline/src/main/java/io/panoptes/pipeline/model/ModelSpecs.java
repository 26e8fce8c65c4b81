package io.panoptes.pipeline.model;

import io.panoptes.avro.ModelLayout;
import io.panoptes.avro.ModelSpec;
import io.panoptes.avro.ModelTask;
import io.panoptes.pipeline.PipelineSpecs;
import io.panoptes.pipeline.Violation;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a valid {@link ModelSpec} is, in one place: the API checks a spec before it stores it, and a
 * worker checks it again when it reads one from the models topic (which any producer may write), so
 * a bad spec is refused by both with the same words. What only the file can tell (its checksum, its
 * shapes) the worker checks when it loads it.
 */
public final class ModelSpecs {

    /** The scheme of a model that ships in the jar: {@code bundled:coco}. */
    public static final String BUNDLED = "bundled:";

    /** Largest input side and most labels a spec may declare. */
    public static final int MAX_INPUT_SIDE = 8192;

    public static final int MAX_LABELS = 10_000;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern BUNDLED_NAME = Pattern.compile("[a-z0-9-]{1,64}");

    /** The tasks each layout's decoder implements. */
    private static final Map<ModelLayout, Set<ModelTask>> TASKS =
            Map.of(
                    ModelLayout.YOLOV8,
                            EnumSet.of(
                                    ModelTask.DETECT,
                                    ModelTask.CLASSIFY,
                                    ModelTask.SEGMENT,
                                    ModelTask.POSE),
                    ModelLayout.YOLOV5, EnumSet.of(ModelTask.DETECT),
                    ModelLayout.BLAZEFACE, EnumSet.of(ModelTask.DETECT),
                    ModelLayout.CENTERNET, EnumSet.of(ModelTask.DETECT));

    private ModelSpecs() {}

    /** Everything wrong with {@code spec}, each naming its field; empty when it is valid. */
    public static List<Violation> validate(ModelSpec spec) {
        List<Violation> violations = new ArrayList<>();
        if (!PipelineSpecs.ID.matcher(spec.getModelId()).matches()) {
            violations.add(
                    new Violation(
                            "modelId",
                            "'"
                                    + spec.getModelId()
                                    + "' must be 1 to 128 letters, digits, '.', '_' or '-',"
                                    + " starting with a letter or digit"));
        }
        checkSource(spec, violations);
        checkLayout(spec, violations);
        checkLabels(spec.getLabels(), violations);
        checkInputSize(spec, violations);
        checkThresholds(spec, violations);
        return violations;
    }

    /** The tasks {@code layout} supports, for messages and for the worker's own check. */
    public static Set<ModelTask> tasks(ModelLayout layout) {
        return TASKS.getOrDefault(layout, Set.of());
    }

    /** Whether {@code source} names a URL to download (rather than a path or a bundled model). */
    public static boolean isUrl(String source) {
        String lower = source.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    private static void checkSource(ModelSpec spec, List<Violation> violations) {
        String source = spec.getSource();
        String sha256 = spec.getSha256();
        if (sha256 != null && !SHA256.matcher(sha256).matches()) {
            violations.add(
                    new Violation(
                            "sha256", "must be 64 lower-case hex digits, got '" + sha256 + "'"));
        }
        if (source.isBlank()) {
            violations.add(new Violation("source", "is required"));
        } else if (source.startsWith(BUNDLED)) {
            String name = source.substring(BUNDLED.length());
            if (!BUNDLED_NAME.matcher(name).matches()) {
                violations.add(
                        new Violation(
                                "source",
                                "'"
                                        + source
                                        + "' is not a bundled model name (e.g. bundled:coco)"));
            }
        } else if (isUrl(source)) {
            checkUrl(source, sha256, violations);
        } else {
            checkPath(source, violations);
        }
    }

    private static void checkUrl(String source, String sha256, List<Violation> violations) {
        try {
            URI uri = new URI(source);
            if (uri.getHost() == null || uri.getHost().isBlank()) {
                violations.add(new Violation("source", "the URL " + source + " has no host"));
            }
        } catch (URISyntaxException e) {
            violations.add(new Violation("source", "is not a valid URL: " + e.getMessage()));
        }
        if (sha256 == null) {
            violations.add(
                    new Violation(
                            "sha256",
                            "is required for a model downloaded from a URL (pin the file you"
                                    + " tested: sha256sum model.onnx)"));
        }
    }

    private static void checkPath(String source, List<Violation> violations) {
        if (source.contains("://")) {
            violations.add(
                    new Violation(
                            "source",
                            "'"
                                    + source
                                    + "': only http(s) URLs, absolute paths on the workers and"
                                    + " bundled:NAME are model sources"));
            return;
        }
        try {
            if (!Path.of(source).isAbsolute()) {
                violations.add(
                        new Violation(
                                "source",
                                "the path '"
                                        + source
                                        + "' must be absolute: every worker resolves it"
                                        + " on its own machine"));
            }
        } catch (InvalidPathException e) {
            violations.add(new Violation("source", "is not a valid path: " + e.getMessage()));
        }
    }

    private static void checkLayout(ModelSpec spec, List<Violation> violations) {
        if (spec.getFamily() == ModelLayout.UNKNOWN) {
            violations.add(
                    new Violation(
                            "family",
                            "is required: one of " + TASKS.keySet().stream().sorted().toList()));
            return;
        }
        Set<ModelTask> tasks = tasks(spec.getFamily());
        if (!tasks.contains(spec.getTask())) {
            violations.add(
                    new Violation(
                            "task",
                            spec.getTask()
                                    + " is not a task of family "
                                    + spec.getFamily()
                                    + ": it supports "
                                    + tasks.stream().sorted().toList()));
        }
    }

    private static void checkLabels(List<String> labels, List<Violation> violations) {
        if (labels.size() > MAX_LABELS) {
            violations.add(
                    new Violation("labels", labels.size() + " labels; at most " + MAX_LABELS));
            return;
        }
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.get(i);
            if (label.isBlank() || label.length() > 200) {
                violations.add(
                        new Violation(
                                "labels[" + i + "]", "must be 1 to 200 characters, not blank"));
            }
        }
    }

    private static void checkInputSize(ModelSpec spec, List<Violation> violations) {
        Integer width = spec.getInputWidth();
        Integer height = spec.getInputHeight();
        if ((width == null) != (height == null)) {
            violations.add(
                    new Violation(
                            width == null ? "inputWidth" : "inputHeight",
                            "give both inputWidth and inputHeight, or neither"));
        }
        checkSide("inputWidth", width, violations);
        checkSide("inputHeight", height, violations);
    }

    private static void checkSide(String field, Integer side, List<Violation> violations) {
        if (side != null && (side < 1 || side > MAX_INPUT_SIDE)) {
            violations.add(
                    new Violation(field, "must be in [1, " + MAX_INPUT_SIDE + "], got " + side));
        }
    }

    private static void checkThresholds(ModelSpec spec, List<Violation> violations) {
        Float confidence = spec.getConfidence();
        if (confidence != null && !(confidence >= 0 && confidence <= 1)) {
            violations.add(new Violation("confidence", "must be in [0, 1], got " + confidence));
        }
        Float iou = spec.getIou();
        if (iou != null && !(iou > 0 && iou <= 1)) {
            violations.add(new Violation("iou", "must be in (0, 1], got " + iou));
        }
        Integer max = spec.getMaxDetections();
        if (max != null && (max < 1 || max > 10_000)) {
            violations.add(new Violation("maxDetections", "must be in [1, 10000], got " + max));
        }
    }
}
