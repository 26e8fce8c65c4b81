package io.panoptes.worker.internal.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Non-maximum suppression: greedy class-aware (YOLO) and weighted (MediaPipe BlazeFace). */
public final class Nms {

    private Nms() {}

    /** Keeps the best box of each overlapping group per class; at most {@code max}, best first. */
    public static List<Candidate> classAware(List<Candidate> candidates, float iou, int max) {
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingDouble(Candidate::score).reversed());
        List<Candidate> kept = new ArrayList<>();
        for (Candidate candidate : sorted) {
            if (kept.size() == max) {
                break;
            }
            boolean suppressed = false;
            for (Candidate k : kept) {
                if (k.classId() == candidate.classId() && k.iou(candidate) > iou) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept.add(candidate);
            }
        }
        return kept;
    }

    /**
     * MediaPipe's weighted NMS: each group of boxes overlapping the best remaining one by more than
     * {@code iou} becomes one box, their score-weighted mean (keypoints too), with the best score.
     */
    public static List<Candidate> weighted(List<Candidate> candidates, float iou, int max) {
        List<Candidate> remaining = new ArrayList<>(candidates);
        remaining.sort(Comparator.comparingDouble(Candidate::score).reversed());
        List<Candidate> merged = new ArrayList<>();
        while (!remaining.isEmpty() && merged.size() < max) {
            Candidate best = remaining.get(0);
            List<Candidate> group = new ArrayList<>();
            List<Candidate> rest = new ArrayList<>();
            for (Candidate c : remaining) {
                (best.iou(c) > iou || c == best ? group : rest).add(c);
            }
            merged.add(mean(best, group));
            remaining = rest;
        }
        return merged;
    }

    private static Candidate mean(Candidate best, List<Candidate> group) {
        float total = 0;
        float x1 = 0;
        float y1 = 0;
        float x2 = 0;
        float y2 = 0;
        float[] keypoints = best.keypoints() == null ? null : new float[best.keypoints().length];
        for (Candidate c : group) {
            float w = c.score();
            total += w;
            x1 += c.x1() * w;
            y1 += c.y1() * w;
            x2 += c.x2() * w;
            y2 += c.y2() * w;
            for (int k = 0; keypoints != null && k < keypoints.length; k++) {
                keypoints[k] += c.keypoints()[k] * w;
            }
        }
        for (int k = 0; keypoints != null && k < keypoints.length; k++) {
            keypoints[k] /= total;
        }
        return new Candidate(
                best.classId(),
                best.score(),
                x1 / total,
                y1 / total,
                x2 / total,
                y2 / total,
                keypoints);
    }
}
