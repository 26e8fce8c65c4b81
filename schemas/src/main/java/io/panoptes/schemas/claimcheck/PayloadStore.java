package io.panoptes.schemas.claimcheck;

import java.net.URI;

/**
 * Where frames too large for a Kafka record are kept: the record carries the returned URI in {@code
 * Frame.payloadRef} instead of the bytes (the claim-check pattern). A filesystem store now; an
 * object store can implement the same interface. Implementations are thread-safe.
 */
public interface PayloadStore {

    /**
     * Stores one frame's encoded image and returns its reference.
     *
     * @throws ClaimCheckException naming the frame and the cause when it cannot be stored
     */
    URI put(String streamId, long epoch, long seq, String extension, byte[] payload);

    /**
     * Reads back a payload stored here.
     *
     * @throws ClaimCheckException naming the reference and the cause (missing, unreadable, too
     *     large)
     */
    byte[] get(URI reference);

    /** Thrown when a payload cannot be stored or fetched. */
    final class ClaimCheckException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ClaimCheckException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
