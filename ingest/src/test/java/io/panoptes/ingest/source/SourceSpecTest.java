package io.panoptes.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.avro.SourceKind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceSpecTest {

    @Test
    void shouldClassifyUrisAndPaths(@TempDir Path dir) throws Exception {
        assertThat(SourceType.of("rtsp://cam/stream")).isEqualTo(SourceType.RTSP);
        assertThat(SourceType.of("RTMP://host/live/x")).isEqualTo(SourceType.RTMP);
        assertThat(SourceType.of("https://host/live.m3u8")).isEqualTo(SourceType.HTTP);
        assertThat(SourceType.of("/dev/video0")).isEqualTo(SourceType.DEVICE);
        assertThat(SourceType.of(dir.toString())).isEqualTo(SourceType.IMAGE_FOLDER);
        assertThat(SourceType.of(dir.resolve("a.JPG").toString())).isEqualTo(SourceType.IMAGE);
        assertThat(SourceType.of(Files.createFile(dir.resolve("v.avi")).toUri().toString())).isEqualTo(SourceType.FILE);
    }

    @Test
    void shouldDeriveStreamIdsAndKinds() {
        SourceSpec file = SourceSpec.builder("/data/Megamind.avi").build();
        SourceSpec camera = SourceSpec.builder("rtsp://admin:secret@10.0.0.5:554/h264").build();
        SourceSpec paced = SourceSpec.builder("/data/vtest.avi").realtime(true).maxFps(5.0).build();

        assertThat(file.streamId()).isEqualTo("Megamind");
        assertThat(file.kind()).isEqualTo(SourceKind.FILE);
        assertThat(camera.streamId()).isEqualTo("10.0.0.5:554/h264");
        assertThat(camera.kind()).isEqualTo(SourceKind.LIVE);
        assertThat(camera.displayUri()).isEqualTo("rtsp://***@10.0.0.5:554/h264");
        assertThat(paced.kind()).isEqualTo(SourceKind.LIVE);
    }

    @Test
    void shouldRejectBadSpecsNamingTheField() {
        assertThatThrownBy(() -> SourceSpec.builder("/a.avi").maxFps(0.0).build())
                .hasMessageContaining("max fps of a must be in (0, 1000], got 0.0");
        assertThatThrownBy(() -> SourceSpec.builder("/a.avi").streamId("").build())
                .hasMessageContaining("stream id '' of /a.avi");
        assertThatThrownBy(() -> SourceSpec.builder("rtsp://cam/x").realtime(true).build())
                .hasMessageContaining("--realtime applies to files");
    }
}
