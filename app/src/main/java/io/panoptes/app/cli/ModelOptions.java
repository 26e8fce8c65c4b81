package io.panoptes.app.cli;

import io.panoptes.app.local.Bundled;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * One model for the commands that run one here ({@code local}, {@code infer}): a file, or the
 * bundled BlazeFace.
 */
public final class ModelOptions {

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description = "ONNX model (default: the bundled BlazeFace face detector).")
    private Path model;

    @Option(
            names = "--model-family",
            defaultValue = "yolov8",
            paramLabel = "yolov8|yolov5|blazeface",
            description = "Output layout of --model (default: ${DEFAULT-VALUE}).")
    private String modelFamily;

    @Option(
            names = "--labels",
            split = ",",
            paramLabel = "NAME[,NAME...]",
            description = "Class names of --model, in output order.")
    private List<String> labels = new ArrayList<>();

    /**
     * The model chosen; the bundled BlazeFace (id {@code face}) is copied into
     * ~/.cache/panoptes/models first.
     */
    public ModelConfig config() {
        if (model == null) {
            return Bundled.blazeFace(
                    Path.of(System.getProperty("user.home"), ".cache", "panoptes", "models"));
        }
        ModelFamily family;
        try {
            family = ModelFamily.valueOf(modelFamily.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--model-family must be yolov8, yolov5 or blazeface, got '"
                            + modelFamily
                            + "'");
        }
        ModelConfig config =
                ModelConfig.of(
                        model.getFileName().toString().replaceFirst("\\.onnx$", ""), model, family);
        return labels.isEmpty() ? config : config.withLabels(labels);
    }
}
