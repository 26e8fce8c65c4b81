package io.panoptes.actions;

/** How one attempt to deliver an event to one destination went. */
public record Delivery(Outcome outcome, String detail) {

    public enum Outcome {
        /** The destination acknowledged it (2xx, or written). */
        DELIVERED,
        /** Worth trying again: a timeout, a refused connection, 408, 429 or 5xx. */
        RETRYABLE,
        /** Trying again will not help (another 4xx): the event goes to the DLQ. */
        REJECTED,
        /** The destination says it is gone for good (410): nothing more is sent to it. */
        GONE
    }

    public static Delivery delivered(String detail) {
        return new Delivery(Outcome.DELIVERED, detail);
    }

    public static Delivery retryable(String detail) {
        return new Delivery(Outcome.RETRYABLE, detail);
    }
}
