package io.panoptes.ingest.internal.rate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RateControlTest {

    private static final long MS = 1_000_000;

    @Test
    void shouldAdmitTenOfTwentyFiveFramesPerSecondOnASchedule() {
        FrameRateLimit limit = new FrameRateLimit(10);
        int admitted = 0;
        for (int frame = 0; frame < 250; frame++) { // 10 s of a 25 fps camera
            if (limit.admit(frame * 40 * MS)) {
                admitted++;
            }
        }
        assertThat(admitted).isBetween(99, 101);
    }

    @Test
    void shouldNotBurstAfterASourceFellBehind() {
        FrameRateLimit limit = new FrameRateLimit(10);
        assertThat(limit.admit(0)).isTrue();
        assertThat(limit.admit(5_000 * MS)).isTrue(); // 5 s gap
        assertThat(limit.admit(5_040 * MS)).isFalse();
        assertThat(limit.admit(5_100 * MS)).isTrue();
    }

    @Test
    void shouldMakeFilesWaitInsteadOfDropping() {
        FrameRateLimit limit = new FrameRateLimit(20); // 50 ms apart
        assertThat(limit.delayNanos(0)).isZero();
        assertThat(limit.delayNanos(10 * MS)).isEqualTo(40 * MS);
        assertThat(limit.delayNanos(50 * MS)).isEqualTo(50 * MS);
        assertThat(new FrameRateLimit(0).delayNanos(0)).isZero();
        assertThat(new FrameRateLimit(0).admit(0)).isTrue();
    }

    @Test
    void shouldKeepPresentationTimeMovingForward() {
        PresentationClock clock = new PresentationClock(25);
        assertThat(clock.next(41_708)).isEqualTo(41_708);
        assertThat(clock.next(83_416)).isEqualTo(83_416);
        assertThat(clock.next(0)).isEqualTo(83_416 + 40_000); // a flushed last frame with PTS 0
        assertThat(clock.next(83_416)).isEqualTo(83_416 + 80_000);
    }

    @Test
    void shouldHalveAboveTheHighLagAndRecoverBelowTheLowLag() {
        AdaptiveRate rate = new AdaptiveRate(50, 10, 0.1, 0.1);
        assertThat(rate.update(100)).isEqualTo(0.5);
        assertThat(rate.update(100)).isEqualTo(0.25);
        assertThat(rate.update(30)).isEqualTo(0.25); // between the bounds: hold
        assertThat(rate.update(100)).isEqualTo(0.125);
        assertThat(rate.update(100)).isEqualTo(0.1); // floor
        assertThat(rate.update(0)).isEqualTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
        for (int i = 0; i < 20; i++) {
            rate.update(0);
        }
        assertThat(rate.factor()).isEqualTo(1.0);
        assertThatThrownBy(() -> new AdaptiveRate(10, 10, 0.1, 0.1))
                .hasMessageContaining("0 <= low < high");
    }
}
