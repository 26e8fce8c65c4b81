package io.panoptes.pipeline.source;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcePolicyTest {

    @TempDir Path root;

    @Test
    void shouldAllowFilesUnderTheRootsOnly() throws Exception {
        Path video = Files.createFile(root.resolve("a.mp4"));
        SourcePolicy policy = new SourcePolicy(List.of(root), false);

        assertThatCode(() -> policy.check(video.toString())).doesNotThrowAnyException();
        assertThatCode(() -> policy.check(video.toUri().toString())).doesNotThrowAnyException();
        assertThatCode(() -> policy.check(root.resolve("not-yet.mp4").toString()))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> policy.check("/etc/passwd"))
                .hasMessageContaining("/etc/passwd is outside the allowed source folders [" + root);
        assertThatThrownBy(() -> policy.check(root.resolve("../../etc/passwd").toString()))
                .hasMessageContaining("outside the allowed");
        assertThatThrownBy(() -> policy.check("/dev/video0"))
                .hasMessageContaining("camera device, and /dev is not among");
        assertThatThrownBy(() -> new SourcePolicy(List.of(), true).check(video.toString()))
                .hasMessageContaining("none are configured: local files are not allowed");
    }

    @Test
    void shouldRefuseALinkThatLeadsOutOfARoot() throws Exception {
        Path link = Files.createSymbolicLink(root.resolve("passwd.mp4"), Path.of("/etc/passwd"));

        assertThatThrownBy(() -> new SourcePolicy(List.of(root), false).check(link.toString()))
                .hasMessageContaining("outside the allowed");
    }

    @Test
    void shouldRefusePrivateNetworksUnlessAllowed() {
        SourcePolicy strict = new SourcePolicy(List.of(), false);

        assertThatThrownBy(() -> strict.check("rtsp://user:secret@127.0.0.1:8554/cam"))
                .hasMessageContaining(
                        "rtsp://***@127.0.0.1:8554/cam resolves to the non-public address 127.0.0.1")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> strict.check("http://192.168.1.20/mjpeg"))
                .hasMessageContaining("192.168.1.20");
        assertThatThrownBy(() -> strict.check("http://[::1]/x")).hasMessageContaining("non-public");
        assertThatThrownBy(() -> strict.check("rtsp:///nohost"))
                .hasMessageContaining("has no host");
        assertThatThrownBy(() -> strict.check("rtsp://no-such-host.invalid/cam"))
                .hasMessageContaining("does not resolve");
        assertThatCode(() -> new SourcePolicy(List.of(), true).check("rtsp://127.0.0.1:8554/cam"))
                .doesNotThrowAnyException();
        assertThatCode(() -> strict.check("rtsp://93.184.215.14/cam")).doesNotThrowAnyException();
    }
}
