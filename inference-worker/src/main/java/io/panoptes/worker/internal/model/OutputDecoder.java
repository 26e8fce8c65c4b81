package io.panoptes.worker.internal.model;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a model's raw outputs into scored candidates above the confidence threshold, in model-input
 * pixels.
 */
public interface OutputDecoder {

    List<Candidate> decode(FloatBuffer[] outputs, float confidence);

    /**
     * {@code [1, 4+C+E, N]}: rows cx, cy, w, h, then one score per class (no objectness), then what
     * the task adds per anchor: {@code 3K} rows of keypoints (x, y, visibility; pose) or {@code M}
     * mask coefficients (segmentation).
     */
    record YoloV8(int classes, int anchors, int keypoints, int masks) implements OutputDecoder {

        /** Detection only. */
        YoloV8(int classes, int anchors) {
            this(classes, anchors, 0, 0);
        }

        @Override
        public List<Candidate> decode(FloatBuffer[] outputs, float confidence) {
            FloatBuffer out = outputs[0];
            List<Candidate> candidates = new ArrayList<>();
            for (int a = 0; a < anchors; a++) {
                int best = 0;
                float bestScore = out.get(4 * anchors + a);
                for (int c = 1; c < classes; c++) {
                    float score = out.get((4 + c) * anchors + a);
                    if (score > bestScore) {
                        best = c;
                        bestScore = score;
                    }
                }
                if (bestScore >= confidence) {
                    candidates.add(candidate(out, a, best, bestScore));
                }
            }
            return candidates;
        }

        private Candidate candidate(FloatBuffer out, int a, int classId, float score) {
            float cx = out.get(a);
            float cy = out.get(anchors + a);
            float w = out.get(2 * anchors + a);
            float h = out.get(3 * anchors + a);
            int extra = 4 + classes; // the first row after the class scores
            float[] points = keypoints > 0 ? new float[2 * keypoints] : null;
            float[] pointScores = keypoints > 0 ? new float[keypoints] : null;
            for (int k = 0; k < keypoints; k++) {
                points[2 * k] = out.get((extra + 3 * k) * anchors + a);
                points[2 * k + 1] = out.get((extra + 3 * k + 1) * anchors + a);
                pointScores[k] = out.get((extra + 3 * k + 2) * anchors + a);
            }
            float[] coefficients = masks > 0 ? new float[masks] : null;
            for (int m = 0; m < masks; m++) {
                coefficients[m] = out.get((extra + m) * anchors + a);
            }
            return new Candidate(
                    classId,
                    score,
                    cx - w / 2,
                    cy - h / 2,
                    cx + w / 2,
                    cy + h / 2,
                    points,
                    pointScores,
                    coefficients);
        }
    }

    /**
     * {@code [1, N, 5+C]}: cx, cy, w, h, objectness, then class scores; confidence = objectness ×
     * class score.
     */
    record YoloV5(int classes, int anchors) implements OutputDecoder {
        @Override
        public List<Candidate> decode(FloatBuffer[] outputs, float confidence) {
            FloatBuffer out = outputs[0];
            int stride = 5 + classes;
            List<Candidate> candidates = new ArrayList<>();
            for (int a = 0; a < anchors; a++) {
                int base = a * stride;
                float objectness = out.get(base + 4);
                if (objectness < confidence) {
                    continue; // objectness bounds the product
                }
                int best = 0;
                float bestScore = out.get(base + 5);
                for (int c = 1; c < classes; c++) {
                    float score = out.get(base + 5 + c);
                    if (score > bestScore) {
                        best = c;
                        bestScore = score;
                    }
                }
                float score = objectness * bestScore;
                if (score >= confidence) {
                    candidates.add(
                            Candidate.fromCentre(
                                    best,
                                    score,
                                    out.get(base),
                                    out.get(base + 1),
                                    out.get(base + 2),
                                    out.get(base + 3),
                                    null));
                }
            }
            return candidates;
        }
    }

    /**
     * MediaPipe BlazeFace (short range): outputs in the order scores 16×16×2, regressors 16×16×2,
     * scores 8×8×6, regressors 8×8×6. Scores are logits; regressors are {@code dx, dy, w, h} then
     * six keypoints {@code (kx, ky)}, in input pixels relative to the anchor centre.
     */
    record BlazeFace(int inputSize) implements OutputDecoder {
        private static final int REGRESSORS = 16;

        @Override
        public List<Candidate> decode(FloatBuffer[] outputs, float confidence) {
            List<Candidate> candidates = new ArrayList<>();
            layer(outputs[0], outputs[1], 16, 2, confidence, candidates);
            layer(outputs[2], outputs[3], 8, 6, confidence, candidates);
            return candidates;
        }

        private void layer(
                FloatBuffer scores,
                FloatBuffer boxes,
                int cells,
                int perCell,
                float confidence,
                List<Candidate> candidates) {
            for (int row = 0; row < cells; row++) {
                for (int col = 0; col < cells; col++) {
                    for (int k = 0; k < perCell; k++) {
                        int i = (row * cells + col) * perCell + k;
                        float score = sigmoid(scores.get(i));
                        if (score >= confidence) {
                            candidates.add(
                                    candidate(
                                            boxes,
                                            i,
                                            (col + 0.5f) / cells * inputSize,
                                            (row + 0.5f) / cells * inputSize,
                                            score));
                        }
                    }
                }
            }
        }

        private static Candidate candidate(
                FloatBuffer boxes, int i, float anchorX, float anchorY, float score) {
            int base = i * REGRESSORS;
            float[] keypoints = new float[12];
            for (int p = 0; p < 6; p++) {
                keypoints[2 * p] = anchorX + boxes.get(base + 4 + 2 * p);
                keypoints[2 * p + 1] = anchorY + boxes.get(base + 5 + 2 * p);
            }
            return Candidate.fromCentre(
                    0,
                    score,
                    anchorX + boxes.get(base),
                    anchorY + boxes.get(base + 1),
                    boxes.get(base + 2),
                    boxes.get(base + 3),
                    keypoints);
        }

        private static float sigmoid(float logit) {
            float clipped = Math.max(-100f, Math.min(100f, logit));
            return (float) (1 / (1 + Math.exp(-clipped)));
        }
    }

    /**
     * CenterNet with its peaks picked in the graph: {@code [1, N, 6]}, each row x1, y1, x2, y2
     * (input pixels), score, class index; rows come sorted by score, padded with low scores.
     */
    record CenterNet(int classes, int rows) implements OutputDecoder {
        @Override
        public List<Candidate> decode(FloatBuffer[] outputs, float confidence) {
            FloatBuffer out = outputs[0];
            List<Candidate> candidates = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                int base = r * 6;
                float score = out.get(base + 4);
                int classId = Math.round(out.get(base + 5));
                if (score >= confidence && classId >= 0 && classId < classes) {
                    candidates.add(
                            new Candidate(
                                    classId,
                                    score,
                                    out.get(base),
                                    out.get(base + 1),
                                    out.get(base + 2),
                                    out.get(base + 3),
                                    null));
                }
            }
            return candidates;
        }
    }
}
