package io.panoptes.worker;

/**
 * Why one image could not be run through a model; {@link #reason()} says which kind of failure it
 * is.
 */
public final class InferenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The kinds of failure, each with the HTTP status that answers it. */
    public enum Reason {
        /** No model has that id. */
        UNKNOWN_MODEL(404),
        /** The bytes are neither a JPEG nor a PNG. */
        NOT_AN_IMAGE(415),
        /** A JPEG or PNG that cannot be decoded: truncated, corrupt, or above the pixel cap. */
        UNDECODABLE(422),
        /** The model cannot be loaded (a missing or broken file, an unreachable download). */
        MODEL_UNAVAILABLE(503),
        /** ONNX Runtime failed on this image. */
        MODEL_FAILED(500);

        private final int httpStatus;

        Reason(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Reason reason;

    public InferenceException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
