package io.panoptes.pipeline.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceTypeTest {

    @Test
    void shouldClassifyUrisAndPaths(@TempDir Path dir) throws Exception {
        assertThat(SourceType.of("rtsp://cam/stream")).isEqualTo(SourceType.RTSP);
        assertThat(SourceType.of("RTMP://host/live/x")).isEqualTo(SourceType.RTMP);
        assertThat(SourceType.of("https://host/live.m3u8")).isEqualTo(SourceType.HTTP);
        assertThat(SourceType.of("/dev/video0")).isEqualTo(SourceType.DEVICE);
        assertThat(SourceType.of(dir.toString())).isEqualTo(SourceType.IMAGE_FOLDER);
        assertThat(SourceType.of(dir.resolve("a.JPG").toString())).isEqualTo(SourceType.IMAGE);
        assertThat(SourceType.of(Files.createFile(dir.resolve("v.avi")).toUri().toString()))
                .isEqualTo(SourceType.FILE);
    }
}
