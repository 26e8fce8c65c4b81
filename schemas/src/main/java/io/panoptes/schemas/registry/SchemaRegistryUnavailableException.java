package io.panoptes.schemas.registry;

/**
 * The registry did not answer, or answered with a server error, after the configured retries.
 * Retriable.
 */
public class SchemaRegistryUnavailableException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(0, message, cause);
    }
}
