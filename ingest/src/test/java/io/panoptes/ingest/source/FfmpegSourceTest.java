package io.panoptes.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.pipeline.source.SourceType;
import io.panoptes.testkit.TestData;
import io.panoptes.testkit.TestVideos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FfmpegSourceTest {

    private static final DecoderSettings SETTINGS = DecoderSettings.defaults();

    @Test
    void shouldDecodeEveryFrameOfAVideoWithAnAudioStream() {
        try (FfmpegSource source = open(TestVideos.megamind().toString(), SETTINGS)) {
            assertThat(source.width()).isEqualTo(720);
            assertThat(source.height()).isEqualTo(528);
            assertThat(source.frameRate())
                    .isCloseTo(23.976, org.assertj.core.data.Offset.offset(0.01));
            int frames = 0;
            CapturedFrame frame;
            while ((frame = source.next()) != null) {
                assertThat(frame.image().channels()).isEqualTo(3);
                frames++;
            }
            assertThat(frames).isEqualTo(270);
        }
    }

    @Test
    void shouldReadAStillImageAsOneFrame() {
        try (FfmpegSource source =
                open(TestData.file(TestData.MEGAMIND_FRAME_030_PNG).toString(), SETTINGS)) {
            assertThat(source.next().image().cols()).isEqualTo(720);
            assertThat(source.next()).isNull();
        }
    }

    @Test
    void shouldNameAMissingFile() {
        assertThatThrownBy(() -> open("/nonexistent/cam.avi", SETTINGS))
                .isInstanceOfSatisfying(
                        SourceException.class, e -> assertThat(e.retriable()).isFalse())
                .hasMessage("no such file: /nonexistent/cam.avi");
    }

    @Test
    void shouldRefuseRandomBytesAndTextAsNotVideo(@TempDir Path dir) throws Exception {
        byte[] noise = new byte[100_000];
        new Random(1).nextBytes(noise);
        Path random = Files.write(dir.resolve("noise.avi"), noise);
        Path text = Files.writeString(dir.resolve("notes.mp4"), "hello, this is not a video\n");

        for (Path bad : new Path[] {random, text}) {
            assertThatThrownBy(() -> open(bad.toString(), SETTINGS))
                    .isInstanceOfSatisfying(
                            SourceException.class, e -> assertThat(e.retriable()).isFalse())
                    .hasMessageContaining("cannot open " + bad)
                    .hasMessageContaining("Invalid data found when processing input")
                    .hasMessageContaining("not a video or image FFmpeg can read");
        }
    }

    @Test
    void shouldRefuseFramesAboveThePixelCapBeforeDecoding() {
        DecoderSettings small = new DecoderSettings(1, Duration.ofSeconds(5), 100_000);

        assertThatThrownBy(() -> open(TestVideos.megamind().toString(), small))
                .hasMessageContaining("declares 720x528 pixels, above the cap of 100000 pixels");
    }

    @Test
    void shouldRefuseAHeaderClaimingAbsurdDimensions(@TempDir Path dir) throws Exception {
        Path liar = Files.write(dir.resolve("liar.png"), pngClaiming(12_000, 12_000));

        assertThatThrownBy(() -> open(liar.toString(), SETTINGS))
                .isInstanceOf(SourceException.class)
                .hasMessage(
                        liar
                                + " declares 12000x12000 pixels, above the cap of 33177600 pixels"
                                + " (raise --max-pixels if this is intended)");
    }

    /**
     * A PNG whose header claims {@code width}x{@code height} RGB pixels, followed by a few bytes of
     * image data.
     */
    static byte[] pngClaiming(int width, int height) throws Exception {
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr =
                java.nio.ByteBuffer.allocate(13)
                        .putInt(width)
                        .putInt(height)
                        .put((byte) 8)
                        .put((byte) 2)
                        .put((byte) 0)
                        .put((byte) 0)
                        .put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        java.util.zip.Deflater deflater = new java.util.zip.Deflater();
        deflater.setInput(new byte[64]);
        deflater.finish();
        byte[] idat = new byte[128];
        chunk(png, "IDAT", java.util.Arrays.copyOf(idat, deflater.deflate(idat)));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(java.io.ByteArrayOutputStream png, String type, byte[] data)
            throws Exception {
        byte[] typeBytes = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(typeBytes);
        crc.update(data);
        png.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        png.write(typeBytes);
        png.write(data);
        png.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void shouldSayAClosedPortRefusesTheConnectionAndMayBeRetried() {
        String url = "http://127.0.0.1:" + io.panoptes.testkit.LoopbackPorts.closed() + "/cam";

        assertThatThrownBy(() -> open(url, SETTINGS))
                .isInstanceOfSatisfying(
                        SourceException.class, e -> assertThat(e.retriable()).isTrue())
                .hasMessageContaining("Connection refused (FFmpeg error -111)");
    }

    @Test
    void shouldSkipUndecodableImagesInAFolder(@TempDir Path dir) throws Exception {
        Files.copy(TestData.file(TestData.MEGAMIND_FRAME_030_PNG), dir.resolve("a.png"));
        Files.writeString(dir.resolve("b.jpg"), "not a jpeg");
        Files.copy(TestData.file(TestData.WHITE_SQUARE_PNG), dir.resolve("c.png"));
        Files.writeString(dir.resolve("readme.txt"), "ignored: not an image name");

        try (ImageFolderSource folder = new ImageFolderSource(dir, SETTINGS)) {
            folder.open();
            assertThat(folder.next().image().cols()).isEqualTo(720);
            assertThat(folder.next().image().cols()).isEqualTo(640);
            assertThat(folder.next()).isNull();
            assertThat(folder.skipped()).isEqualTo(1);
        }
    }

    private static FfmpegSource open(String location, DecoderSettings settings) {
        FfmpegSource source =
                new FfmpegSource(location, SourceType.of(location), Map.of(), settings);
        source.open();
        return source;
    }
}
