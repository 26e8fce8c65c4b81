package io.panoptes.aggregator.tracking;

import io.panoptes.avro.Detection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A multi-object tracker in the spirit of ByteTrack: tracks are predicted forward at constant
 * velocity, matched first to high-score detections and then, for those left, to low-score ones
 * (which keeps objects that are briefly hard to see), both greedily by IoU within a class. An
 * unmatched detection above the activation threshold starts a track; a track unmatched for more
 * than the lost-track buffer is dropped. Frames are numbered by the stream's {@code seq}, so
 * skipped frames simply age the tracks. Pure: state in, state out; thread-safe.
 */
public final class Tracker {

    private final TrackerSettings settings;

    public Tracker(TrackerSettings settings) {
        this.settings = settings;
    }

    /**
     * The detections of frame {@code frame} with track ids set (null for unmatched low-score ones),
     * and the new state.
     */
    public record Update(List<Detection> detections, TrackerState state) {}

    public Update update(TrackerState state, long frame, List<Detection> detections) {
        List<Track> predicted = new ArrayList<>();
        for (Track track : state.tracks()) {
            if (frame - track.lastFrame() <= settings.lostBuffer()) {
                predicted.add(track.predictedAt(frame));
            }
        }
        List<Detection> out = new ArrayList<>(detections.size());
        for (Detection d : detections) {
            // a shallow copy with the constructor: Avro's copying builder looks classes up by name
            out.add(
                    new Detection(
                            d.getClassId(),
                            d.getLabel(),
                            d.getConfidence(),
                            d.getBox(),
                            null,
                            d.getKeypoints(),
                            d.getPolygon(),
                            d.getParentIndex(),
                            d.getModelId()));
        }
        Track[] matchedTrack = new Track[out.size()];
        boolean[] trackUsed = new boolean[predicted.size()];
        associate(out, predicted, matchedTrack, trackUsed, true, settings.firstMatchIou());
        associate(out, predicted, matchedTrack, trackUsed, false, settings.secondMatchIou());

        List<Track> next = new ArrayList<>();
        long nextId = state.nextId();
        for (int i = 0; i < out.size(); i++) {
            Detection d = out.get(i);
            if (matchedTrack[i] != null) {
                next.add(follow(state, matchedTrack[i], d, frame));
                d.setTrackId(matchedTrack[i].id());
            } else if (d.getConfidence() >= settings.newTrackScore()) {
                next.add(
                        new Track(
                                nextId,
                                d.getClassId(),
                                d.getBox().getX(),
                                d.getBox().getY(),
                                d.getBox().getW(),
                                d.getBox().getH(),
                                0,
                                0,
                                frame,
                                1));
                d.setTrackId(nextId++);
            }
        }
        for (int t = 0; t < predicted.size(); t++) {
            if (!trackUsed[t]) {
                next.add(
                        original(
                                state,
                                predicted
                                        .get(t)
                                        .id())); // lost for now: kept, unmoved, until the buffer
                // runs out
            }
        }
        return new Update(out, new TrackerState(nextId, next));
    }

    /**
     * Greedy matching by IoU, best pairs first, within a class; high-score or low-score detections
     * only.
     */
    private void associate(
            List<Detection> detections,
            List<Track> tracks,
            Track[] matched,
            boolean[] used,
            boolean high,
            float minIou) {
        List<float[]> pairs = new ArrayList<>(); // {iou, detection index, track index}
        for (int i = 0; i < detections.size(); i++) {
            Detection d = detections.get(i);
            float score = d.getConfidence();
            boolean eligible =
                    high
                            ? score >= settings.highScore()
                            : score >= settings.lowScore() && score < settings.highScore();
            if (!eligible || matched[i] != null) {
                continue;
            }
            for (int t = 0; t < tracks.size(); t++) {
                Track track = tracks.get(t);
                if (used[t] || track.classId() != d.getClassId()) {
                    continue;
                }
                float iou =
                        track.iou(
                                d.getBox().getX(),
                                d.getBox().getY(),
                                d.getBox().getW(),
                                d.getBox().getH());
                if (iou >= minIou) {
                    pairs.add(new float[] {iou, i, t});
                }
            }
        }
        pairs.sort(Comparator.comparingDouble((float[] p) -> p[0]).reversed());
        for (float[] pair : pairs) {
            int i = (int) pair[1];
            int t = (int) pair[2];
            if (matched[i] == null && !used[t]) {
                matched[i] = tracks.get(t);
                used[t] = true;
            }
        }
    }

    /** The track after matching {@code d}: the new box, a smoothed velocity of its centre. */
    private static Track follow(TrackerState state, Track predicted, Detection d, long frame) {
        Track before = original(state, predicted.id());
        long elapsed = Math.max(1, frame - before.lastFrame());
        float cx = d.getBox().getX() + d.getBox().getW() / 2;
        float cy = d.getBox().getY() + d.getBox().getH() / 2;
        float vx = (cx - (before.x() + before.w() / 2)) / elapsed;
        float vy = (cy - (before.y() + before.h() / 2)) / elapsed;
        if (before.hits() > 1) {
            vx = 0.5f * vx + 0.5f * before.vx();
            vy = 0.5f * vy + 0.5f * before.vy();
        }
        return new Track(
                before.id(),
                before.classId(),
                d.getBox().getX(),
                d.getBox().getY(),
                d.getBox().getW(),
                d.getBox().getH(),
                vx,
                vy,
                frame,
                before.hits() + 1);
    }

    private static Track original(TrackerState state, long id) {
        for (Track track : state.tracks()) {
            if (track.id() == id) {
                return track;
            }
        }
        throw new IllegalStateException("no track " + id);
    }
}
