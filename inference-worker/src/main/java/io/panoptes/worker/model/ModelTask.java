package io.panoptes.worker.model;

import java.util.Arrays;
import java.util.Locale;

/** What a model's outputs mean; the layout ({@link ModelFamily}) says how they are arranged. */
public enum ModelTask {
    /** Boxes with labels and scores (and BlazeFace's six keypoints). */
    DETECT,
    /**
     * Labels with scores for the whole image (or a crop): Ultralytics YOLOv8-cls, {@code [1, C]}.
     */
    CLASSIFY,
    /**
     * Boxes with a mask each, carried as a polygon: YOLOv8-seg, {@code [1, 4+C+M, N]} and
     * prototypes {@code [1, M, H/4, W/4]}.
     */
    SEGMENT,
    /**
     * Boxes with keypoints: YOLOv8-pose, {@code [1, 4+C+3K, N]} (x, y, visibility per keypoint).
     */
    POSE;

    public static ModelTask parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "unknown task '" + name + "': expected one of " + Arrays.toString(values()), e);
        }
    }
}
