package io.panoptes.ingest.internal.encode;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_PNG_COMPRESSION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.panoptes.avro.FrameEncoding;
import io.panoptes.ingest.encode.EncodingSettings;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Encodes BGR frames with OpenCV ({@code imencode}), scaling them down first when they are wider
 * than the configured maximum. Reuses its native buffers across frames; one per source thread, not
 * thread-safe. Close frees the native memory.
 */
public final class FrameEncoder implements AutoCloseable {

    private final EncodingSettings settings;
    private final Mat scaled = new Mat();
    private final BytePointer buffer = new BytePointer();
    private final IntPointer params;
    private final String extension;

    public FrameEncoder(EncodingSettings settings) {
        this.settings = settings;
        this.params =
                settings.encoding() == FrameEncoding.PNG
                        ? new IntPointer(IMWRITE_PNG_COMPRESSION, 1)
                        : new IntPointer(IMWRITE_JPEG_QUALITY, settings.jpegQuality());
        this.extension = settings.encoding() == FrameEncoding.PNG ? ".png" : ".jpg";
    }

    public EncodedImage encode(Mat bgr) {
        Mat image = scale(bgr);
        byte[] bytes =
                settings.encoding() == FrameEncoding.RAW_BGR24 ? raw(image) : compressed(image);
        return new EncodedImage(bytes, image.cols(), image.rows(), settings.encoding());
    }

    private Mat scale(Mat bgr) {
        int maxWidth = settings.maxWidth();
        if (maxWidth == 0 || bgr.cols() <= maxWidth) {
            return bgr;
        }
        int height = Math.max(1, (int) Math.round((double) bgr.rows() * maxWidth / bgr.cols()));
        try (Size size = new Size(maxWidth, height)) {
            resize(bgr, scaled, size, 0, 0, INTER_AREA);
        }
        return scaled;
    }

    private byte[] compressed(Mat image) {
        if (!imencode(extension, image, buffer, params)) {
            throw new IllegalStateException(
                    "OpenCV could not encode a "
                            + image.cols()
                            + "x"
                            + image.rows()
                            + " frame as "
                            + settings.encoding());
        }
        byte[] bytes = new byte[(int) buffer.limit()];
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] raw(Mat image) {
        Mat continuous = image.isContinuous() ? image : image.clone();
        byte[] bytes = new byte[(int) (continuous.total() * continuous.elemSize())];
        continuous.data().get(bytes);
        if (continuous != image) {
            continuous.close();
        }
        return bytes;
    }

    @Override
    public void close() {
        scaled.close();
        buffer.close();
        params.close();
    }
}
