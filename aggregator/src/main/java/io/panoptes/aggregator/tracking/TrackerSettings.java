package io.panoptes.aggregator.tracking;

/**
 * Thresholds of the tracker (ByteTrack's, by default).
 *
 * @param highScore detections at or above this are associated first, and may start tracks
 * @param lowScore detections between this and highScore only keep existing tracks alive (second
 *     association)
 * @param newTrackScore an unmatched detection starts a track only at or above this (track
 *     activation threshold)
 * @param firstMatchIou least IoU between a track's predicted box and a high-score detection to
 *     match them
 * @param secondMatchIou least IoU for the second association, with low-score detections
 * @param lostBuffer frames a track survives unmatched before it is dropped (its id is then never
 *     reused)
 */
public record TrackerSettings(
        float highScore,
        float lowScore,
        float newTrackScore,
        float firstMatchIou,
        float secondMatchIou,
        int lostBuffer) {

    public static final int DEFAULT_LOST_BUFFER = 30;

    public TrackerSettings {
        if (!(0 <= lowScore && lowScore <= highScore && highScore <= 1)) {
            throw new IllegalArgumentException(
                    "tracker scores must satisfy 0 <= low <= high <= 1, got low "
                            + lowScore
                            + ", high "
                            + highScore);
        }
        if (!(newTrackScore >= 0 && newTrackScore <= 1)) {
            throw new IllegalArgumentException(
                    "track activation threshold must be in [0, 1], got " + newTrackScore);
        }
        if (!(firstMatchIou > 0
                && firstMatchIou <= 1
                && secondMatchIou > 0
                && secondMatchIou <= 1)) {
            throw new IllegalArgumentException(
                    "match IoU thresholds must be in (0, 1], got "
                            + firstMatchIou
                            + ", "
                            + secondMatchIou);
        }
        if (lostBuffer < 0 || lostBuffer > 100_000) {
            throw new IllegalArgumentException(
                    "lost-track buffer must be in [0, 100000] frames, got " + lostBuffer);
        }
    }

    /** ByteTrack's defaults: 0.5 / 0.1 / 0.6, IoU 0.2 then 0.5, 30 frames. */
    public static TrackerSettings defaults() {
        return new TrackerSettings(0.5f, 0.1f, 0.6f, 0.2f, 0.5f, DEFAULT_LOST_BUFFER);
    }

    /** The same thresholds, with a lost-track buffer of {@code frames}. */
    public TrackerSettings withLostBuffer(int frames) {
        return new TrackerSettings(
                highScore, lowScore, newTrackScore, firstMatchIou, secondMatchIou, frames);
    }
}
