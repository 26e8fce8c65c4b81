package io.panoptes.worker.image;

import io.panoptes.avro.FrameEncoding;
import java.util.Optional;

/**
 * Reads the dimensions a JPEG (SOFn marker) or PNG (IHDR) header claims, without decoding, so a
 * frame claiming absurd dimensions is refused before anything is allocated. Written by hand: OpenCV
 * has no header-only API in its Java binding, and these two headers are a few bytes each.
 */
public final class ImageHeader {

    /** Width and height as the header claims them. */
    public record Dimensions(int width, int height) {
        public long pixels() {
            return (long) width * height;
        }
    }

    private ImageHeader() {}

    /** JPEG or PNG by the first bytes (their magic numbers); empty for anything else. */
    public static Optional<FrameEncoding> encoding(byte[] data) {
        if (data.length >= 2 && (data[0] & 0xff) == 0xff && (data[1] & 0xff) == 0xd8) {
            return Optional.of(FrameEncoding.JPEG);
        }
        if (data.length >= 4
                && (data[0] & 0xff) == 0x89
                && data[1] == 'P'
                && data[2] == 'N'
                && data[3] == 'G') {
            return Optional.of(FrameEncoding.PNG);
        }
        return Optional.empty();
    }

    /**
     * The claimed dimensions, or null when {@code data} is neither a JPEG nor a PNG with a readable
     * header.
     */
    public static Dimensions of(byte[] data) {
        if (data.length >= 24
                && (data[0] & 0xff) == 0x89
                && data[1] == 'P'
                && data[2] == 'N'
                && data[3] == 'G') {
            return new Dimensions(int32(data, 16), int32(data, 20));
        }
        if (data.length >= 4 && (data[0] & 0xff) == 0xff && (data[1] & 0xff) == 0xd8) {
            return jpeg(data);
        }
        return null;
    }

    /**
     * Whether the image ends where its format says it must: a JPEG with its end-of-image marker, a
     * PNG with its IEND chunk. Decoders fill a truncated image's missing rows silently; this
     * catches it.
     */
    public static boolean isComplete(byte[] data) {
        int n = data.length;
        if (n >= 12 && (data[0] & 0xff) == 0x89) {
            return data[n - 8] == 'I'
                    && data[n - 7] == 'E'
                    && data[n - 6] == 'N'
                    && data[n - 5] == 'D';
        }
        int end = n;
        while (end > 2 && data[end - 1] == 0) {
            end--; // some encoders pad after the marker
        }
        return end >= 4 && (data[end - 2] & 0xff) == 0xff && (data[end - 1] & 0xff) == 0xd9;
    }

    private static Dimensions jpeg(byte[] data) {
        int i = 2;
        while (i + 9 < data.length) {
            if ((data[i] & 0xff) != 0xff) {
                return null;
            }
            int marker = data[i + 1] & 0xff;
            if (marker == 0xff) {
                i++; // fill byte
                continue;
            }
            int length = ((data[i + 2] & 0xff) << 8) | (data[i + 3] & 0xff);
            boolean startOfFrame =
                    marker >= 0xc0
                            && marker <= 0xcf
                            && marker != 0xc4
                            && marker != 0xc8
                            && marker != 0xcc;
            if (startOfFrame) {
                int height = ((data[i + 5] & 0xff) << 8) | (data[i + 6] & 0xff);
                int width = ((data[i + 7] & 0xff) << 8) | (data[i + 8] & 0xff);
                return new Dimensions(width, height);
            }
            if (length < 2) {
                return null;
            }
            i += 2 + length;
        }
        return null;
    }

    private static int int32(byte[] data, int at) {
        return ((data[at] & 0xff) << 24)
                | ((data[at + 1] & 0xff) << 16)
                | ((data[at + 2] & 0xff) << 8)
                | (data[at + 3] & 0xff);
    }
}
