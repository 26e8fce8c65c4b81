package io.panoptes.worker.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One model the worker can run, by id.
 *
 * @param id the name frames and pipelines use for it
 * @param path the ONNX file
 * @param family its output layout
 * @param labels class names in output order; empty means "class0", "class1", ... (BlazeFace:
 *     "face")
 * @param confidence minimum score kept (YOLO default 0.25, BlazeFace 0.75, CenterNet 0.4)
 * @param iou overlap above which NMS suppresses (YOLO 0.45 and CenterNet 0.6 class-aware, BlazeFace
 *     0.3 weighted)
 * @param maxDetections most detections per frame (default 300)
 * @param download where to fetch the file from when it is not local yet ({@code path} is then its
 *     cache file)
 * @param task what the outputs mean (detection unless said otherwise)
 */
public record ModelConfig(
        String id,
        Path path,
        ModelFamily family,
        List<String> labels,
        float confidence,
        float iou,
        int maxDetections,
        Optional<ModelDownload> download,
        ModelTask task) {

    public ModelConfig {
        Objects.requireNonNull(id, "id");
        task = task == null ? ModelTask.DETECT : task;
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(family, "family");
        labels = List.copyOf(labels);
        download = download == null ? Optional.empty() : download;
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException(
                    "model " + id + ": confidence must be in [0, 1], got " + confidence);
        }
        if (!(iou > 0 && iou <= 1)) {
            throw new IllegalArgumentException(
                    "model " + id + ": IoU threshold must be in (0, 1], got " + iou);
        }
        if (maxDetections < 1 || maxDetections > 10_000) {
            throw new IllegalArgumentException(
                    "model " + id + ": max detections must be in [1, 10000], got " + maxDetections);
        }
    }

    /** The family's defaults for thresholds and labels. */
    public static ModelConfig of(String id, Path path, ModelFamily family) {
        return switch (family) {
            case BLAZEFACE ->
                    new ModelConfig(
                            id,
                            path,
                            family,
                            List.of("face"),
                            0.75f,
                            0.3f,
                            300,
                            Optional.empty(),
                            ModelTask.DETECT);
            // its peaks are picked in the graph; NMS only merges a class's boxes that overlap most
            case CENTERNET ->
                    new ModelConfig(
                            id,
                            path,
                            family,
                            List.of(),
                            0.4f,
                            0.6f,
                            100,
                            Optional.empty(),
                            ModelTask.DETECT);
            case YOLOV8, YOLOV5 ->
                    new ModelConfig(
                            id,
                            path,
                            family,
                            List.of(),
                            0.25f,
                            0.45f,
                            300,
                            Optional.empty(),
                            ModelTask.DETECT);
        };
    }

    public ModelConfig withLabels(List<String> labels) {
        return new ModelConfig(
                id, path, family, labels, confidence, iou, maxDetections, download, task);
    }

    public ModelConfig withThresholds(float confidence, float iou) {
        return new ModelConfig(
                id, path, family, labels, confidence, iou, maxDetections, download, task);
    }

    /** The same model, fetched from {@code download} into {@code path} when not there yet. */
    public ModelConfig withMaxDetections(int maxDetections) {
        return new ModelConfig(
                id, path, family, labels, confidence, iou, maxDetections, download, task);
    }

    public ModelConfig withDownload(ModelDownload download) {
        return new ModelConfig(
                id,
                path,
                family,
                labels,
                confidence,
                iou,
                maxDetections,
                Optional.of(download),
                task);
    }

    public ModelConfig withTask(ModelTask task) {
        return new ModelConfig(
                id, path, family, labels, confidence, iou, maxDetections, download, task);
    }

    /** The label of class {@code index}. */
    public String label(int index) {
        return index < labels.size() ? labels.get(index) : "class" + index;
    }
}
