package io.panoptes.runtime.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void shouldBackOffExponentiallyWithJitterUpToTheCap() {
        Backoff backoff = Backoff.defaults();
        for (int attempt = 1; attempt <= 10; attempt++) {
            long ceiling = Math.min(30_000, 1000L << (attempt - 1));
            assertThat(backoff.delay(attempt).toMillis()).isBetween(ceiling / 2, ceiling);
        }
        assertThat(backoff.allows(1_000_000)).isTrue();
        assertThat(new Backoff(Duration.ofMillis(10), Duration.ofMillis(20), 2).allows(3))
                .isFalse();
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0))
                .hasMessageContaining("0 < base <= cap");
    }
}
