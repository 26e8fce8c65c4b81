package io.panoptes.ingest.internal.rate;

/**
 * Additive-increase, multiplicative-decrease control of a live source's publish rate from the
 * workers' lag: above {@code highLag} records the rate factor halves (at most once per {@code
 * cooldown} decisions), below {@code lowLag} it grows by {@code step}, bounded to [{@code
 * minFactor}, 1]. Between the two it holds. Thread-safe.
 */
public final class AdaptiveRate {

    private final long highLag;
    private final long lowLag;
    private final double minFactor;
    private final double step;
    private double factor = 1.0;

    public AdaptiveRate(long highLag, long lowLag, double minFactor, double step) {
        if (lowLag < 0 || highLag <= lowLag) {
            throw new IllegalArgumentException(
                    "lag bounds must satisfy 0 <= low < high, got low "
                            + lowLag
                            + ", high "
                            + highLag);
        }
        if (!(minFactor > 0 && minFactor <= 1) || !(step > 0 && step <= 1)) {
            throw new IllegalArgumentException(
                    "min factor and step must be in (0, 1], got " + minFactor + ", " + step);
        }
        this.highLag = highLag;
        this.lowLag = lowLag;
        this.minFactor = minFactor;
        this.step = step;
    }

    /** Feeds one lag reading; returns the new factor (1 = full rate). */
    public synchronized double update(long lag) {
        if (lag > highLag) {
            factor = Math.max(minFactor, factor / 2);
        } else if (lag < lowLag) {
            factor = Math.min(1.0, factor + step);
        }
        return factor;
    }

    public synchronized double factor() {
        return factor;
    }

    public long highLag() {
        return highLag;
    }
}
