package io.panoptes.ingest.internal.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import io.panoptes.avro.FrameEncoding;
import io.panoptes.ingest.encode.EncodingSettings;
import io.panoptes.testkit.TestData;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {

    private final Mat frame =
            imread(TestData.file(TestData.MEGAMIND_FRAME_030_PNG).toString(), IMREAD_COLOR);

    @Test
    void shouldEncodeADecodableJpeg() {
        try (FrameEncoder encoder = new FrameEncoder(EncodingSettings.defaults())) {
            EncodedImage image = encoder.encode(frame);

            assertThat(image.encoding()).isEqualTo(FrameEncoding.JPEG);
            assertThat(image.bytes()[0]).isEqualTo((byte) 0xff);
            assertThat(image.bytes().length).isBetween(10_000, 200_000);
            try (Mat decoded = imdecode(new Mat(image.bytes()), IMREAD_COLOR)) {
                assertThat(decoded.cols()).isEqualTo(720);
                assertThat(decoded.rows()).isEqualTo(528);
            }
        }
    }

    @Test
    void shouldScaleDownToTheMaxWidthKeepingTheAspectRatio() {
        try (FrameEncoder encoder =
                new FrameEncoder(new EncodingSettings(FrameEncoding.PNG, 85, 360))) {
            EncodedImage image = encoder.encode(frame);

            assertThat(image.width()).isEqualTo(360);
            assertThat(image.height()).isEqualTo(264);
            assertThat(image.extension()).isEqualTo("png");
        }
    }

    @Test
    void shouldWriteRawBgrRowByRow() {
        try (FrameEncoder encoder =
                new FrameEncoder(new EncodingSettings(FrameEncoding.RAW_BGR24, 85, 0))) {
            assertThat(encoder.encode(frame).bytes()).hasSize(720 * 528 * 3);
        }
    }

    @Test
    void shouldValidateSettings() {
        assertThatThrownBy(() -> new EncodingSettings(FrameEncoding.JPEG, 0, 0))
                .hasMessageContaining("JPEG quality must be in [1, 100], got 0");
        assertThatThrownBy(() -> new EncodingSettings(FrameEncoding.UNKNOWN, 85, 0))
                .hasMessageContaining("JPEG, PNG or RAW_BGR24");
    }
}
