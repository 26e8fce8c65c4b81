package io.panoptes.worker.internal.model;

/**
 * A detection before NMS, in model-input pixels (corners), with optional keypoints ({@code x0, y0,
 * x1, y1, ...}) and their scores (pose models), and the mask coefficients of a segmentation model.
 */
public record Candidate(
        int classId,
        float score,
        float x1,
        float y1,
        float x2,
        float y2,
        float[] keypoints,
        float[] keypointScores,
        float[] maskCoefficients) {

    /** A candidate without keypoint scores or mask. */
    public Candidate(
            int classId, float score, float x1, float y1, float x2, float y2, float[] keypoints) {
        this(classId, score, x1, y1, x2, y2, keypoints, null, null);
    }

    public float area() {
        return Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
    }

    public float iou(Candidate other) {
        float w = Math.min(x2, other.x2) - Math.max(x1, other.x1);
        float h = Math.min(y2, other.y2) - Math.max(y1, other.y1);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        float inter = w * h;
        return inter / (area() + other.area() - inter);
    }

    static Candidate fromCentre(
            int classId, float score, float cx, float cy, float w, float h, float[] keypoints) {
        return new Candidate(
                classId, score, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, keypoints);
    }
}
