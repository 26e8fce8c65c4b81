package io.panoptes.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaClusterExtension.class)
class TestFixturesIT {

    @Test
    void shouldProvideTheSampleVideosWithTheirPublishedChecksums() throws Exception {
        assertThat(sha256(TestVideos.megamind().toString()))
                .isEqualTo("0057387cb7e75c8fd1663b62cfdc51fa53f527795d0fe3c1fea2fd159d3130b5");
        assertThat(sha256(TestVideos.vtest().toString()))
                .isEqualTo("45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf");
    }

    @Test
    void shouldProvideTheCommittedFixtures() {
        assertThat(TestData.bytes(TestData.BLAZEFACE_FRONT)).hasSize(442_005);
        assertThat(TestData.file(TestData.BRIGHT_SQUARE_YOLOV8)).exists();
        assertThatThrownBy(() -> TestData.file("nope.onnx"))
                .hasMessageContaining("testdata/nope.onnx");
    }

    @Test
    void shouldShareOneClusterPerJvm(KafkaCluster first, KafkaCluster second) throws Exception {
        assertThat(first).isSameAs(second);
        try (var admin = first.admin()) {
            assertThat(admin.describeCluster().nodes().get()).isNotEmpty();
        }
        assertThat(Set.of(first.uniqueName("t"), first.uniqueName("t"))).hasSize(2);
    }

    private static String sha256(String file) throws Exception {
        byte[] digest =
                MessageDigest.getInstance("SHA-256")
                        .digest(Files.readAllBytes(java.nio.file.Path.of(file)));
        return HexFormat.of().formatHex(digest);
    }
}
