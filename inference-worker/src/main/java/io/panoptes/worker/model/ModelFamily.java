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
    BLAZEFACE;

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
