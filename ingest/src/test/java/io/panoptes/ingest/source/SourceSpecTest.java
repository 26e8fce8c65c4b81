package io.panoptes.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.avro.SourceKind;
import org.junit.jupiter.api.Test;

class SourceSpecTest {

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
