package io.panoptes.actions;

import io.panoptes.avro.Event;

/** A destination of events. Implementations say how each attempt went rather than throw. */
public interface Sink extends AutoCloseable {

    /** A name for logs, metrics and DLQ headers, e.g. the webhook's URL. */
    String name();

    /** One attempt to deliver {@code event}, whose JSON form is {@code json}. */
    Delivery deliver(Event event, byte[] json);

    @Override
    default void close() {}
}
