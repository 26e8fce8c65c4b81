package io.panoptes.worker.model;

import java.util.Arrays;
import java.util.Locale;

/** The output layouts the worker decodes. */
public enum ModelFamily {
    /**
     * Ultralytics YOLOv8/v11: input NCHW RGB [0,1]; output {@code [1, 4+C, N]}, class scores
     * without objectness.
     */
    YOLOV8,
    /**
     * YOLOv5: input NCHW RGB [0,1]; output {@code [1, N, 5+C]}, confidence = objectness × class
     * score.
     */
    YOLOV5,
    /**
     * MediaPipe BlazeFace: input NHWC RGB [-1,1]; 16×16×2 + 8×8×6 SSD anchors, weighted NMS, 6
     * keypoints.
     */
    BLAZEFACE,
    /**
     * CenterNet with peak picking inside the graph (the bundled {@code coco}): input NHWC RGB
     * 0..255, the frame stretched to the input size; output {@code [1, N, 6]}: x1, y1, x2, y2 in
     * input pixels, score, class index. The output does not give the class count: the labels do
     * (80, COCO's, when none are given), and an index beyond them is dropped.
     */
    CENTERNET;

    public static ModelFamily parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", ""));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "unknown model family '"
                            + name
                            + "': expected one of "
                            + Arrays.toString(values()),
                    e);
        }
    }
}
