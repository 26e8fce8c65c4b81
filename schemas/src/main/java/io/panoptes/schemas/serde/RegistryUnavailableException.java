package io.panoptes.schemas.serde;

import org.apache.kafka.common.errors.RetriableException;

/**
 * A value could not be read because the schema registry could not be asked for its schema: not a
 * fault of the record (which must not go to the DLQ), but of the moment. Readers retry it; Kafka
 * Streams stops its thread (a restart retries), rather than dead-letter a valid record.
 */
public class RegistryUnavailableException extends RetriableException {
    private static final long serialVersionUID = 1L;

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
