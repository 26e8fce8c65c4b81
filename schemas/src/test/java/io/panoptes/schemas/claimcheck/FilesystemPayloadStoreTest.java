package io.panoptes.schemas.claimcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemPayloadStoreTest {

    @TempDir Path root;

    @Test
    void shouldStoreAndReadBackUnderASafePath() {
        FilesystemPayloadStore store = new FilesystemPayloadStore(root, 1024);

        URI ref = store.put("rtsp://cam/../x", 17, 3, "jpg", new byte[] {1, 2, 3});

        assertThat(Path.of(ref)).startsWith(root).hasFileName("3.jpg");
        assertThat(Path.of(ref).getParent().getParent().getFileName().toString())
                .isEqualTo("rtsp___cam_.._x");
        assertThat(store.get(ref)).containsExactly(1, 2, 3);
    }

    @Test
    void shouldRefuseReferencesOutsideTheStoreOrTooLargeOrMissing(@TempDir Path elsewhere)
            throws Exception {
        FilesystemPayloadStore store = new FilesystemPayloadStore(root, 2);
        Path outside = Files.write(elsewhere.resolve("x.jpg"), new byte[] {1});

        assertThatThrownBy(() -> store.get(outside.toUri()))
                .hasMessageContaining("outside the payload store");
        assertThatThrownBy(() -> store.get(URI.create("http://host/x.jpg")))
                .hasMessageContaining("is not a file: URI");
        URI big = store.put("cam", 1, 1, "jpg", new byte[] {1, 2, 3});
        assertThatThrownBy(() -> store.get(big))
                .hasMessageContaining("holds 3 bytes, more than the limit of 2");
        assertThatThrownBy(() -> store.get(root.resolve("cam/1/99.jpg").toUri()))
                .hasMessageContaining("cannot read claim check")
                .hasMessageContaining("99.jpg");
    }

    @Test
    void shouldNameTheFrameWhenItCannotStore() throws Exception {
        Path file = Files.writeString(root.resolve("not-a-dir"), "x");
        FilesystemPayloadStore store = new FilesystemPayloadStore(file, 10);

        assertThatThrownBy(() -> store.put("cam", 5, 7, "jpg", new byte[] {1}))
                .hasMessageContaining("cannot store the payload of cam epoch 5 seq 7 (1 bytes)");
    }
}
