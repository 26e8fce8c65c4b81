package io.panoptes.worker.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import io.panoptes.avro.Frame;
import io.panoptes.schemas.claimcheck.PayloadStore;
import java.net.URI;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Turns a frame's payload (inline or claim-checked; JPEG, PNG or raw BGR) into a BGR image. Checks
 * the dimensions a header claims against the pixel cap before decoding. Decodes into an image the
 * caller owns (reused across frames), reusing its own buffer for the encoded bytes. One per thread;
 * close frees native memory.
 */
public final class FrameImageDecoder implements AutoCloseable {

    private final long maxPixels;
    private final PayloadStore store;
    private BytePointer encoded = new BytePointer(64 * 1024);

    /**
     * @param store where claim-checked payloads are read from; null when this worker cannot reach
     *     one
     */
    public FrameImageDecoder(long maxPixels, PayloadStore store) {
        this.maxPixels = maxPixels;
        this.store = store;
    }

    /**
     * Decodes the frame's image, BGR, into {@code image}. @throws FrameDecodeException saying why
     * it cannot be decoded
     */
    public Mat decode(Frame frame, Mat image) {
        byte[] bytes = payload(frame);
        return switch (frame.getEncoding()) {
            case JPEG, PNG -> compressed(frame, bytes, image);
            case RAW_BGR24 -> raw(frame, bytes, image);
            default ->
                    throw new FrameDecodeException(
                            "frame encoding "
                                    + frame.getEncoding()
                                    + " is not one this worker decodes");
        };
    }

    private byte[] payload(Frame frame) {
        ByteBuffer inline = frame.getPayload();
        if (inline != null) {
            byte[] bytes = new byte[inline.remaining()];
            inline.duplicate().get(bytes);
            return bytes;
        }
        if (frame.getPayloadRef() == null) {
            throw new FrameDecodeException("frame has neither a payload nor a payloadRef");
        }
        if (store == null) {
            throw new FrameDecodeException(
                    "frame is claim-checked at "
                            + frame.getPayloadRef()
                            + ", but this worker has no payload store configured (--claim-check-dir)");
        }
        try {
            return store.get(URI.create(frame.getPayloadRef()));
        } catch (RuntimeException e) {
            throw new FrameDecodeException(e.getMessage(), e);
        }
    }

    private Mat compressed(Frame frame, byte[] bytes, Mat image) {
        ImageHeader.Dimensions claimed = ImageHeader.of(bytes);
        if (claimed == null) {
            throw new FrameDecodeException(
                    "payload ("
                            + bytes.length
                            + " bytes) is not a "
                            + frame.getEncoding()
                            + ": it starts with "
                            + hex(bytes));
        }
        checkPixels(claimed.width(), claimed.height());
        if (!ImageHeader.isComplete(bytes)) {
            throw new FrameDecodeException(
                    frame.getEncoding()
                            + " payload ("
                            + bytes.length
                            + " bytes) of a "
                            + claimed.width()
                            + "x"
                            + claimed.height()
                            + " image ends before its end marker: truncated");
        }
        if (encoded.capacity() < bytes.length) {
            encoded.close();
            encoded = new BytePointer(bytes.length);
        }
        encoded.position(0).put(bytes, 0, bytes.length);
        try (Mat wrapped = new Mat(1, bytes.length, CV_8U, encoded)) {
            imdecode(wrapped, IMREAD_COLOR, image);
        }
        if (image.empty()) {
            throw new FrameDecodeException(
                    "OpenCV could not decode the "
                            + claimed.width()
                            + "x"
                            + claimed.height()
                            + " "
                            + frame.getEncoding()
                            + " payload ("
                            + bytes.length
                            + " bytes): corrupt or truncated");
        }
        return image;
    }

    private Mat raw(Frame frame, byte[] bytes, Mat image) {
        int width = frame.getWidth();
        int height = frame.getHeight();
        checkPixels(width, height);
        if ((long) width * height * 3 != bytes.length) {
            throw new FrameDecodeException(
                    "RAW_BGR24 payload of "
                            + bytes.length
                            + " bytes does not match "
                            + width
                            + "x"
                            + height
                            + "x3 = "
                            + (long) width * height * 3);
        }
        image.create(height, width, CV_8UC3);
        image.data().put(bytes);
        return image;
    }

    private void checkPixels(int width, int height) {
        if (width <= 0 || height <= 0 || (long) width * height > maxPixels) {
            throw new FrameDecodeException(
                    "image claims "
                            + width
                            + "x"
                            + height
                            + " pixels, outside (0, "
                            + maxPixels
                            + "] (the worker's pixel cap)");
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(4, bytes.length); i++) {
            text.append(String.format("%02x ", bytes[i] & 0xff));
        }
        return bytes.length == 0 ? "(nothing)" : text.toString().trim();
    }

    @Override
    public void close() {
        encoded.close();
    }
}
