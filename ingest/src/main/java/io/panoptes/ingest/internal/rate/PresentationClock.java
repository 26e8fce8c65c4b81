package io.panoptes.ingest.internal.rate;

/**
 * Turns a file's presentation timestamps into a timeline that never goes backwards: a timestamp at
 * or before the previous one (some containers give the decoder's last, flushed frame a PTS of 0;
 * packed B-frames shift others) is replaced by the previous one plus one frame interval.
 */
public final class PresentationClock {

    private final long frameIntervalMicros;
    private long last = Long.MIN_VALUE;

    /**
     * @param frameRate the file's declared rate; 0 or less means 25 fps for gaps
     */
    public PresentationClock(double frameRate) {
        this.frameIntervalMicros = Math.round(1_000_000 / (frameRate > 0 ? frameRate : 25));
    }

    /** The presentation time to use for a frame whose decoder timestamp is {@code ptsMicros}. */
    public long next(long ptsMicros) {
        last =
                last == Long.MIN_VALUE
                        ? Math.max(0, ptsMicros)
                        : ptsMicros > last ? ptsMicros : last + frameIntervalMicros;
        return last;
    }
}
