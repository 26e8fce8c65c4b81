package io.panoptes.schemas.registry;

/**
 * A subject, version or schema id that the registry does not have (error codes 40401, 40402,
 * 40403).
 */
public class SchemaNotFoundException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_LEVEL_NOT_CONFIGURED = 40408;

    public SchemaNotFoundException(int errorCode, String message) {
        super(errorCode, message);
    }
}
