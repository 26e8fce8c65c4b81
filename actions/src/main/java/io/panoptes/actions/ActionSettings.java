package io.panoptes.actions;

import io.panoptes.runtime.retry.Backoff;
import java.time.Duration;

/**
 * How the action sinks deliver.
 *
 * @param groupId the sinks' consumer group on the events topic
 * @param maxAttempts tries per event and destination before it goes to the DLQ (while the
 *     destination's breaker is closed)
 * @param initialBackoff wait after the first failed try; doubled after each (with jitter) up to
 *     {@code maxBackoff}
 * @param breakerThreshold failed tries in a row after which a destination's breaker opens and
 *     consumption pauses
 * @param breakerOpenFor how long the breaker stays open before one more try
 */
public record ActionSettings(
        String groupId,
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        int breakerThreshold,
        Duration breakerOpenFor) {

    public static final String DEFAULT_GROUP = "panoptes-actions";
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    public ActionSettings {
        if (groupId == null || groupId.isBlank()) {
            throw new IllegalArgumentException("actions group must not be blank");
        }
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new IllegalArgumentException(
                    "max-attempts must be in [1, 100], got " + maxAttempts);
        }
        if (initialBackoff.isNegative()
                || initialBackoff.isZero()
                || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "backoff must satisfy 0 < initial <= max, got "
                            + initialBackoff
                            + " and "
                            + maxBackoff);
        }
        if (breakerThreshold < 1) {
            throw new IllegalArgumentException(
                    "breaker threshold must be >= 1, got " + breakerThreshold);
        }
        if (breakerOpenFor.isNegative() || breakerOpenFor.isZero()) {
            throw new IllegalArgumentException(
                    "breaker open time must be positive, got " + breakerOpenFor);
        }
    }

    /** 5 tries 0.5 s to 30 s apart; breaker opens after 10 failed tries in a row, for 30 s. */
    public static ActionSettings defaults() {
        return new ActionSettings(
                DEFAULT_GROUP,
                DEFAULT_MAX_ATTEMPTS,
                Duration.ofMillis(500),
                Duration.ofSeconds(30),
                10,
                Duration.ofSeconds(30));
    }

    /**
     * The retries of one event to one destination: {@code maxAttempts} tries, {@code
     * initialBackoff} to {@code maxBackoff} apart.
     */
    public Backoff backoff() {
        return new Backoff(initialBackoff, maxBackoff, maxAttempts);
    }

    public ActionSettings withGroup(String group) {
        return new ActionSettings(
                group, maxAttempts, initialBackoff, maxBackoff, breakerThreshold, breakerOpenFor);
    }

    public ActionSettings withMaxAttempts(int attempts) {
        return new ActionSettings(
                groupId, attempts, initialBackoff, maxBackoff, breakerThreshold, breakerOpenFor);
    }
}
