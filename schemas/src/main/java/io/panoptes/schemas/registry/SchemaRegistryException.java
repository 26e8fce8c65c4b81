package io.panoptes.schemas.registry;

/**
 * A schema registry refused or failed a request. {@link #errorCode()} is the registry's error code
 * (e.g. 40403 schema not found, 409 incompatible, 42201 invalid schema), or 0 when there was no
 * answer.
 */
public class SchemaRegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errorCode;

    public SchemaRegistryException(int errorCode, String message) {
        this(errorCode, message, null);
    }

    public SchemaRegistryException(int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    public int errorCode() {
        return errorCode;
    }

    /** The HTTP status the REST API answers with for this error code. */
    public int httpStatus() {
        return errorCode >= 1000 ? errorCode / 100 : errorCode == 0 ? 500 : errorCode;
    }
}
