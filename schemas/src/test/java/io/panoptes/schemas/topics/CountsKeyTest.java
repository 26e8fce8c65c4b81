package io.panoptes.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CountsKeyTest {

    @Test
    void shouldFormatAndParseWithAndWithoutZone() {
        CountsKey zoned =
                new CountsKey("cam-1", "person", "door", Instant.ofEpochMilli(1_764_238_500_000L));
        CountsKey whole =
                new CountsKey("rtsp://host/cam", "car", null, Instant.ofEpochMilli(60_000));

        assertThat(zoned.toString()).isEqualTo("cam-1/person/door/1764238500000");
        assertThat(whole.toString()).isEqualTo("rtsp://host/cam/car/-/60000");
        assertThat(CountsKey.parse(zoned.toString())).isEqualTo(zoned);
        assertThat(CountsKey.parse(whole.toString())).isEqualTo(whole);
        assertThat(CountsKey.parse(whole.toString()).zoneOrNull()).isNull();
    }

    @Test
    void shouldRejectMalformedKeys() {
        assertThatThrownBy(() -> CountsKey.parse("cam-1/person"))
                .hasMessageContaining("is not streamId/label/zone/windowStartMillis");
        assertThatThrownBy(() -> CountsKey.parse("cam-1/person/-/noon"))
                .hasMessageContaining("window start in millis");
    }
}
