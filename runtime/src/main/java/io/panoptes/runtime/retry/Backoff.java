package io.panoptes.runtime.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter, for reconnecting and retrying: the n-th wait is uniform in
 * [base·2ⁿ⁻¹/2, base·2ⁿ⁻¹], capped. Attempts are unlimited when {@code maxAttempts} is 0. The one
 * retry policy of every role (ingest reconnects, webhook deliveries, registry requests).
 */
public record Backoff(Duration base, Duration cap, int maxAttempts) {

    public Backoff {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException(
                    "backoff needs 0 < base <= cap, got base " + base + ", cap " + cap);
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException(
                    "max attempts must be >= 0 (0 = forever), got " + maxAttempts);
        }
    }

    /** Base 1 s, cap 30 s, forever. */
    public static Backoff defaults() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0);
    }

    /** Whether attempt number {@code attempt} (from 1) may be made. */
    public boolean allows(int attempt) {
        return maxAttempts == 0 || attempt <= maxAttempts;
    }

    /** The wait before retry number {@code attempt} (from 1). */
    public Duration delay(int attempt) {
        long ceiling =
                Math.min(cap.toMillis(), base.toMillis() << Math.min(Math.max(attempt - 1, 0), 20));
        return Duration.ofMillis(
                ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }
}
