package io.panoptes.pipeline.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SourceUrisTest {

    @Test
    void shouldRedactUserInfoAndCredentialParameters() {
        assertThat(SourceUris.redact("rtsp://admin:s3cret@10.0.0.5:554/h264"))
                .isEqualTo("rtsp://***@10.0.0.5:554/h264");
        assertThat(SourceUris.redact("rtsp://admin@cam/h264")).isEqualTo("rtsp://***@cam/h264");
        assertThat(SourceUris.redact("http://nvr/cgi/mjpg?channel=2&user=admin&pwd=s3cret#x"))
                .isEqualTo("http://nvr/cgi/mjpg?channel=2&user=***&pwd=***#x");
        assertThat(SourceUris.redact("https://cdn/live.m3u8?X-Amz-Signature=abc&token=t0k"))
                .isEqualTo("https://cdn/live.m3u8?X-Amz-Signature=***&token=***");
        assertThat(SourceUris.redact("/data/videos/a@b.mp4")).isEqualTo("/data/videos/a@b.mp4");
        assertThat(SourceUris.redact("rtsp://cam/stream")).isEqualTo("rtsp://cam/stream");
    }

    @Test
    void shouldDeriveStreamIdsWithoutCredentials() {
        assertThat(SourceUris.defaultStreamId("rtsp://user:pass@cam.local:8554/live/main"))
                .isEqualTo("cam.local:8554/live/main");
        assertThat(SourceUris.defaultStreamId("http://nvr/mjpg?channel=2&user=admin&password=pass"))
                .isEqualTo("nvr/mjpg?channel=2");
        assertThat(SourceUris.defaultStreamId("http://nvr/mjpg?pwd=pass")).isEqualTo("nvr/mjpg");
        assertThat(SourceUris.defaultStreamId("/data/Megamind.avi")).isEqualTo("Megamind");
        assertThat(SourceUris.defaultStreamId("file:/data/vtest.avi")).isEqualTo("vtest");
        for (String uri :
                new String[] {
                    "rtsp://user:pass@cam/s",
                    "http://cam/s?user=user&pass=pass",
                    "rtmp://user:pass@cam:1935/s"
                }) {
            assertThat(SourceUris.defaultStreamId(uri))
                    .as(uri)
                    .doesNotContain("user")
                    .doesNotContain("pass");
            assertThat(SourceUris.redact(uri))
                    .as(uri)
                    .doesNotContain(":pass")
                    .doesNotContain("=pass")
                    .doesNotContain("user:");
        }
    }
}
