package io.panoptes.app.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output writer takes the frame rates and sizes real files have. */
class OutputVideoTest {

    @TempDir Path dir;

    @Test
    void shouldGiveTheEncoderARateItsTimeBaseTakes() {
        assertThat(OutputVideo.encoderRate(1_000_000 / 66_667.0)).isEqualTo(15.0);
        assertThat(OutputVideo.encoderRate(24_000 / 1001.0)).isCloseTo(23.976, within(1e-3));
        assertThat(OutputVideo.encoderRate(30_000 / 1001.0) * 1001).isCloseTo(30_000, within(1e-6));
        assertThat(OutputVideo.encoderRate(12.34567)).isEqualTo(12.346);
        assertThat(OutputVideo.encoderRate(0)).isEqualTo(25.0);
        assertThat(OutputVideo.encoderRate(Double.NaN)).isEqualTo(25.0);
    }

    @Test
    void shouldWriteAVideoOfAnOddRateAndAnOddSize() throws Exception {
        Path file = dir.resolve("odd.mp4");
        try (OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
                Mat grey = new Mat(241, 321, CV_8UC3, new Scalar(128, 128, 128, 0))) {
            FFmpegFrameRecorder recorder =
                    OutputVideo.recorder(file, 321, 241, 1_000_000 / 66_667.0);
            for (int i = 0; i < 15; i++) {
                recorder.record(converter.convert(grey));
            }
            recorder.stop();
            recorder.release();
        }
        assertThat(Files.size(file)).isPositive();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile())) {
            grabber.start();
            assertThat(grabber.getFrameRate()).isCloseTo(15.0, within(0.01));
            assertThat(grabber.getImageWidth()).as("MPEG-4 pads to even").isBetween(321, 322);
            grabber.stop();
        }
    }
}
