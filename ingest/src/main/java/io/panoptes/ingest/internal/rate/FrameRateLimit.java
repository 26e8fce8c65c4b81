package io.panoptes.ingest.internal.rate;

/**
 * Spaces published frames at most {@code fps} apart, on a schedule rather than by the gap since the
 * last frame, so a 25 fps camera limited to 10 fps publishes 10, not 8.3. Live sources ask {@link
 * #admit} and drop what it refuses; files ask {@link #delayNanos} and wait. The rate may change at
 * any time (lag adaptation). Used by one thread.
 */
public final class FrameRateLimit {

    private double fps;
    private long nextDueNanos = Long.MIN_VALUE;

    /**
     * @param fps frames per second; 0 or less means no limit
     */
    public FrameRateLimit(double fps) {
        this.fps = fps;
    }

    public void setFps(double fps) {
        this.fps = fps;
    }

    public double fps() {
        return fps;
    }

    /** Whether a live frame captured at {@code nowNanos} may be published; if so, it is counted. */
    public boolean admit(long nowNanos) {
        if (fps <= 0) {
            return true;
        }
        long interval = intervalNanos();
        if (nextDueNanos != Long.MIN_VALUE && nowNanos < nextDueNanos - interval / 20) {
            return false;
        }
        // a source that fell far behind the schedule does not get a burst to catch up
        nextDueNanos =
                (nextDueNanos == Long.MIN_VALUE || nowNanos - nextDueNanos > interval)
                        ? nowNanos + interval
                        : nextDueNanos + interval;
        return true;
    }

    /**
     * How long a file frame ready at {@code nowNanos} must wait before it is published; counts it.
     */
    public long delayNanos(long nowNanos) {
        if (fps <= 0) {
            return 0;
        }
        long due =
                nextDueNanos == Long.MIN_VALUE
                        ? nowNanos
                        : Math.max(nextDueNanos, nowNanos - intervalNanos());
        nextDueNanos = due + intervalNanos();
        return Math.max(0, due - nowNanos);
    }

    private long intervalNanos() {
        return (long) (1e9 / fps);
    }
}
