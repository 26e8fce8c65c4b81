package io.panoptes.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A value could not be written or read in the Confluent wire format. The message names the topic
 * (and partition and offset where known), the record type and the cause.
 */
public class AvroSerdeException extends SerializationException {
    private static final long serialVersionUID = 1L;

    public AvroSerdeException(String message) {
        super(message);
    }

    public AvroSerdeException(String message, Throwable cause) {
        super(message, cause);
    }
}
