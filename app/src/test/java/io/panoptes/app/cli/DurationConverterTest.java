package io.panoptes.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationConverterTest {

    private final DurationConverter converter = new DurationConverter();

    @Test
    void shouldReadShortAndIsoForms() {
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(converter.convert("1H")).isEqualTo(Duration.ofHours(1));
        assertThat(converter.convert("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(converter.convert("pt1h30m")).isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void shouldRejectWhatIsNotAPositiveDuration() {
        assertThatThrownBy(() -> converter.convert("soon"))
                .hasMessageContaining("'soon' is not a duration");
        assertThatThrownBy(() -> converter.convert("0s"))
                .hasMessageContaining("not a positive duration");
        assertThatThrownBy(() -> converter.convert("-PT1S")).hasMessageContaining("is negative");
    }

    @Test
    void shouldAllowZeroWhereAskedButNeverANegativeDuration() {
        DurationConverter.ZeroOrMore zeroOrMore = new DurationConverter.ZeroOrMore();
        assertThat(zeroOrMore.convert("0ms")).isZero();
        assertThatThrownBy(() -> zeroOrMore.convert("-PT1S")).hasMessageContaining("is negative");
    }
}
