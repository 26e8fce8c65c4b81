package io.panoptes.schemas.registry;

/** The subject's compatibility level forbids the schema (error code 409); the message says why. */
public class IncompatibleSchemaException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public static final int INCOMPATIBLE = 409;

    public IncompatibleSchemaException(String message) {
        super(INCOMPATIBLE, message);
    }
}
