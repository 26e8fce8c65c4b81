package io.panoptes.ingest.internal.encode;

import io.panoptes.avro.FrameEncoding;

/** An encoded frame and the size of the image it holds (after any scaling). */
public record EncodedImage(byte[] bytes, int width, int height, FrameEncoding encoding) {

    /** File extension for a claim-checked payload. */
    public String extension() {
        return switch (encoding) {
            case PNG -> "png";
            case RAW_BGR24 -> "bgr";
            default -> "jpg";
        };
    }
}
