package io.panoptes.worker.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.panoptes.testkit.TestData;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageHeaderTest {

    @Test
    void shouldReadPngDimensionsAndCompleteness() {
        byte[] png = TestData.bytes(TestData.WHITE_SQUARE_PNG);

        assertThat(ImageHeader.of(png)).isEqualTo(new ImageHeader.Dimensions(640, 640));
        assertThat(ImageHeader.isComplete(png)).isTrue();
        assertThat(ImageHeader.isComplete(Arrays.copyOf(png, png.length - 1))).isFalse();
    }

    @Test
    void shouldReadJpegDimensionsPastOtherSegments() {
        byte[] jpeg = {
            (byte) 0xff,
            (byte) 0xd8,
            (byte) 0xff,
            (byte) 0xe0,
            0,
            4,
            'J',
            'F', // an APP0 segment to skip
            (byte) 0xff,
            (byte) 0xc2,
            0,
            11,
            8,
            0x02,
            0x10,
            0x02,
            (byte) 0xd0,
            1,
            1,
            0x11,
            0, // progressive SOF: 528x720
            (byte) 0xff,
            (byte) 0xd9,
            0,
            0
        };

        assertThat(ImageHeader.of(jpeg)).isEqualTo(new ImageHeader.Dimensions(720, 528));
        assertThat(ImageHeader.isComplete(jpeg)).isTrue();
        assertThat(ImageHeader.isComplete(Arrays.copyOf(jpeg, 20))).isFalse();
    }

    @Test
    void shouldRecogniseNeitherGarbageNorEmptyInput() {
        assertThat(ImageHeader.of(new byte[] {1, 2, 3})).isNull();
        assertThat(ImageHeader.of(new byte[0])).isNull();
        assertThat(
                        ImageHeader.of(
                                new byte[] {
                                    (byte) 0xff, (byte) 0xd8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
                                }))
                .isNull();
    }
}
