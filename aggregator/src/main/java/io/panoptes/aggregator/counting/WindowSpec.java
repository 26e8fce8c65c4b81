package io.panoptes.aggregator.counting;

import io.panoptes.aggregator.AggregatorSettings;
import io.panoptes.runtime.config.Durations;
import java.time.Duration;

/**
 * Event-time windows of a stream: {@code size} long, a new one every {@code advance} (tumbling when
 * equal), closed once the stream's own clock passes their end plus {@code grace}.
 */
public record WindowSpec(Duration size, Duration advance, Duration grace) {

    public WindowSpec {
        if (size.isNegative() || size.isZero()) {
            throw new IllegalArgumentException("window size must be positive, got " + size);
        }
        if (advance.isNegative() || advance.isZero() || advance.compareTo(size) > 0) {
            throw new IllegalArgumentException(
                    "window advance must be in (0, size " + size + "], got " + advance);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("window grace must be >= 0, got " + grace);
        }
    }

    public static WindowSpec tumbling(Duration size, Duration grace) {
        return new WindowSpec(size, size, grace);
    }

    /** The default: 1-minute tumbling windows, 5 s of grace. */
    public static WindowSpec defaults() {
        return tumbling(
                Durations.parse(AggregatorSettings.DEFAULT_WINDOW),
                Durations.parse(AggregatorSettings.DEFAULT_GRACE));
    }

    /** Start times (epoch millis) of every window containing {@code timeMillis}, earliest first. */
    public long[] startsContaining(long timeMillis) {
        long sizeMs = size.toMillis();
        long advanceMs = advance.toMillis();
        long last = Math.floorDiv(timeMillis, advanceMs) * advanceMs;
        long first = last - ((sizeMs - 1) / advanceMs) * advanceMs;
        while (first + sizeMs <= timeMillis) {
            first += advanceMs;
        }
        int count = (int) ((last - first) / advanceMs) + 1;
        long[] starts = new long[count];
        for (int i = 0; i < count; i++) {
            starts[i] = first + i * advanceMs;
        }
        return starts;
    }

    public long endOf(long startMillis) {
        return startMillis + size.toMillis();
    }

    /**
     * Whether a window starting at {@code startMillis} is closed once the stream's clock reads
     * {@code watermarkMillis}.
     */
    public boolean closedAt(long startMillis, long watermarkMillis) {
        return watermarkMillis >= endOf(startMillis) + grace.toMillis();
    }
}
