package io.panoptes.actions;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One destination's breaker: after {@code threshold} failed attempts in a row it opens for {@code
 * openFor}, during which nothing is sent there; then one attempt (half-open) decides whether it
 * closes or opens again. Not thread-safe: the sinks' one delivery thread owns it.
 */
final class CircuitBreaker {

    private final int threshold;
    private final Duration openFor;
    private final Clock clock;
    private int failures;
    private Instant openUntil = Instant.MIN;

    CircuitBreaker(int threshold, Duration openFor, Clock clock) {
        if (threshold < 1) {
            throw new IllegalArgumentException("breaker threshold < 1: " + threshold);
        }
        if (openFor.isNegative() || openFor.isZero()) {
            throw new IllegalArgumentException(
                    "breaker open time must be positive, got " + openFor);
        }
        this.threshold = threshold;
        this.openFor = openFor;
        this.clock = clock;
    }

    /** Whether attempts must wait, and until when. */
    boolean isOpen() {
        return clock.instant().isBefore(openUntil);
    }

    Instant openUntil() {
        return openUntil;
    }

    void success() {
        failures = 0;
        openUntil = Instant.MIN;
    }

    /** Counts a failed attempt; true when this opened the breaker. */
    boolean failure() {
        failures++;
        if (failures >= threshold) {
            openUntil = clock.instant().plus(openFor);
            failures = threshold - 1; // half-open next time: one more failure reopens it
            return true;
        }
        return false;
    }
}
