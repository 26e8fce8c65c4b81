package io.panoptes.aggregator.counting;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What one window has counted for one label in one zone (or the whole frame): distinct tracks, the
 * most objects in one frame, the sum over frames (for the mean), and line crossings. Mutable; owned
 * by one stream's state.
 */
public final class WindowTally {

    private final Set<Long> tracks = new java.util.TreeSet<>();
    private int maxConcurrent;
    private long objectFrames;
    private int lineIn;
    private int lineOut;

    /** A tally's numbers, so that it can live in a state store. */
    public record State(
            List<Long> tracks, int maxConcurrent, long objectFrames, int lineIn, int lineOut) {

        public State {
            tracks = List.copyOf(tracks);
        }
    }

    WindowTally() {}

    WindowTally(State state) {
        tracks.addAll(state.tracks());
        maxConcurrent = state.maxConcurrent();
        objectFrames = state.objectFrames();
        lineIn = state.lineIn();
        lineOut = state.lineOut();
    }

    State state() {
        return new State(new ArrayList<>(tracks), maxConcurrent, objectFrames, lineIn, lineOut);
    }

    void frame(int objects, Iterable<Long> trackIds) {
        maxConcurrent = Math.max(maxConcurrent, objects);
        objectFrames += objects;
        trackIds.forEach(
                id -> {
                    if (id != null) {
                        tracks.add(id);
                    }
                });
    }

    void crossing(boolean in) {
        if (in) {
            lineIn++;
        } else {
            lineOut++;
        }
    }

    public int uniqueTracks() {
        return tracks.size();
    }

    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** Objects per frame, averaged over the window's frames with detections. */
    public double meanPerFrame(long framesSeen) {
        return framesSeen == 0 ? 0 : (double) objectFrames / framesSeen;
    }

    public int lineIn() {
        return lineIn;
    }

    public int lineOut() {
        return lineOut;
    }
}
