package io.panoptes.app.cli;

import io.panoptes.worker.model.BundledModels;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * One model for the commands that run one here ({@code local}, {@code infer}): a bundled model by
 * name ({@code face}, {@code coco}), as {@code panoptes worker --model} takes it, or an ONNX file.
 */
public final class ModelOptions {

    @Option(
            names = "--model",
            paramLabel = "face|coco|FILE",
            description =
                    "A bundled model (face: BlazeFace; coco: a COCO-80 detector of people, vehicles, ...) or an ONNX file"
                            + " (default: face).")
    private String model;

    @Option(
            names = "--model-family",
            paramLabel = "yolov8|yolov5|blazeface|centernet",
            description = "Output layout of an ONNX file given to --model (default: yolov8).")
    private String modelFamily;

    @Option(
            names = "--model-task",
            paramLabel = "detect|classify|segment|pose",
            description =
                    "What an ONNX file's outputs mean: detect, or (yolov8) classify [1,C], segment [1,4+C+M,N] + [1,M,H,W], pose [1,4+C+3K,N] (default: detect).")
    private String modelTask;

    @Option(
            names = "--labels",
            split = ",",
            paramLabel = "NAME[,NAME...]",
            description = "Class names of --model, in output order.")
    private List<String> labels = new ArrayList<>();

    /** The model chosen, or {@code fallback} (a bundled one) when none is given. */
    public ModelConfig config(BundledModels fallback) {
        String chosen = model != null ? model : fallback.id();
        Optional<BundledModels> bundled = BundledModels.named(chosen);
        ModelConfig config;
        if (bundled.isPresent() && !Files.exists(Path.of(chosen))) {
            if (modelFamily != null) {
                throw new IllegalArgumentException(
                        "--model-family is for an ONNX file; the bundled model "
                                + chosen
                                + " knows its own");
            }
            config = bundled.get().config();
        } else {
            Path file = Path.of(chosen);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(
                        "--model "
                                + chosen
                                + ": no such file, and not a bundled model "
                                + BundledModels.names());
            }
            config =
                    ModelConfig.of(
                            file.getFileName().toString().replaceFirst("\\.onnx$", ""),
                            file,
                            ModelFamily.parse(modelFamily != null ? modelFamily : "yolov8"));
        }
        if (modelTask != null) {
            config = config.withTask(ModelTask.parse(modelTask));
        }
        return labels.isEmpty() ? config : config.withLabels(labels);
    }

    /** The model chosen, or the bundled face detector. */
    public ModelConfig config() {
        return config(BundledModels.FACE);
    }
}
