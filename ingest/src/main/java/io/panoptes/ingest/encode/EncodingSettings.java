package io.panoptes.ingest.encode;

import io.panoptes.avro.FrameEncoding;

/**
 * How frames are encoded for the frames topic.
 *
 * @param encoding JPEG (default), PNG or RAW_BGR24
 * @param jpegQuality 1..100, for JPEG
 * @param maxWidth frames wider than this are scaled down, keeping their aspect ratio; 0 keeps the
 *     size
 */
public record EncodingSettings(FrameEncoding encoding, int jpegQuality, int maxWidth) {

    public static final String DEFAULT_ENCODING = "JPEG";
    public static final int DEFAULT_JPEG_QUALITY = 85;
    public static final int DEFAULT_MAX_WIDTH = 0;

    public EncodingSettings {
        if (encoding == null || encoding == FrameEncoding.UNKNOWN) {
            throw new IllegalArgumentException(
                    "encoding must be JPEG, PNG or RAW_BGR24, got " + encoding);
        }
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException(
                    "JPEG quality must be in [1, 100], got " + jpegQuality);
        }
        if (maxWidth < 0 || maxWidth > 16384) {
            throw new IllegalArgumentException(
                    "max width must be in [0, 16384] (0 keeps the size), got " + maxWidth);
        }
    }

    public static EncodingSettings defaults() {
        return new EncodingSettings(
                FrameEncoding.valueOf(DEFAULT_ENCODING), DEFAULT_JPEG_QUALITY, DEFAULT_MAX_WIDTH);
    }
}
