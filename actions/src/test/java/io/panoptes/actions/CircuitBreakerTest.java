package io.panoptes.actions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private Instant now = Instant.parse("2026-12-02T12:00:00Z");
    private final Clock clock =
            new Clock() {
                @Override
                public ZoneOffset getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return now;
                }
            };

    @Test
    void shouldOpenAfterTheThresholdAndLetOneTryThroughOnceTheTimeIsUp() {
        CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(30), clock);

        assertThat(breaker.failure()).isFalse();
        assertThat(breaker.failure()).isFalse();
        assertThat(breaker.isOpen()).isFalse();
        assertThat(breaker.failure()).as("the third failure in a row opens it").isTrue();
        assertThat(breaker.isOpen()).isTrue();
        assertThat(breaker.openUntil()).isEqualTo(now.plusSeconds(30));

        now = now.plusSeconds(30);
        assertThat(breaker.isOpen()).as("half-open").isFalse();
        assertThat(breaker.failure()).as("one failure when half-open opens it again").isTrue();
        now = now.plusSeconds(30);
        breaker.success();
        assertThat(breaker.failure()).as("a success closes it: counting starts again").isFalse();
        assertThat(breaker.isOpen()).isFalse();
    }

    @Test
    void shouldRefuseSettingsThatCannotWork() {
        assertThatThrownBy(() -> new CircuitBreaker(0, Duration.ofSeconds(1), clock))
                .hasMessageContaining("threshold < 1: 0");
        assertThatThrownBy(() -> new CircuitBreaker(1, Duration.ZERO, clock))
                .hasMessageContaining("must be positive");
    }
}
