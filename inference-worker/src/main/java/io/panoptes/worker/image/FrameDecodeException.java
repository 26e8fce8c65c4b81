package io.panoptes.worker.image;

/**
 * A frame's payload cannot be turned into an image; the message says why (it becomes the FAILED
 * result's error).
 */
public class FrameDecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FrameDecodeException(String message) {
        super(message);
    }

    public FrameDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
