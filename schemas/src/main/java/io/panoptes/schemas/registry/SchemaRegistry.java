package io.panoptes.schemas.registry;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The operations of a Confluent-compatible schema registry that Panoptes uses. Schema ids are
 * global: the same schema text has the same id in every subject. Implementations are thread-safe.
 *
 * <p>Every method may throw {@link SchemaRegistryException}; {@link SchemaNotFoundException},
 * {@link IncompatibleSchemaException} and {@link SchemaRegistryUnavailableException} (retriable)
 * say why.
 */
public interface SchemaRegistry {

    /**
     * Registers {@code schema} under {@code subject} (a no-op returning the existing id when it is
     * already there) after checking it against the subject's compatibility level.
     *
     * @return the schema's global id
     * @throws IncompatibleSchemaException when the level forbids it, with the reasons
     */
    int register(String subject, Schema schema);

    /** The registration of {@code schema} under {@code subject}, if it is registered there. */
    Optional<RegisteredSchema> lookup(String subject, Schema schema);

    /** The schema with this global id. */
    Schema schemaById(int id);

    /** One version of a subject (versions count from 1). */
    RegisteredSchema version(String subject, int version);

    /** The newest version of a subject. */
    RegisteredSchema latest(String subject);

    /** The versions of a subject, oldest first. */
    List<Integer> versions(String subject);

    /** All subjects with at least one version. */
    List<String> subjects();

    /** Whether {@code schema} could be registered under {@code subject}, and if not why. */
    CompatibilityResult testCompatibility(String subject, Schema schema);

    /** The level in force for a subject: its own, else the global one. */
    CompatibilityLevel compatibility(String subject);

    /** Sets a subject's own level. */
    void setCompatibility(String subject, CompatibilityLevel level);

    /** The level for subjects without their own. */
    CompatibilityLevel globalCompatibility();

    void setGlobalCompatibility(CompatibilityLevel level);
}
