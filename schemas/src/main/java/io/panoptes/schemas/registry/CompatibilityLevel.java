package io.panoptes.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * The compatibility levels of the Confluent schema registry. BACKWARD: the new schema reads data
 * written with the old; FORWARD: old schemas read data written with the new; FULL: both;
 * TRANSITIVE: against every earlier version rather than the latest only. Checked with Avro's own
 * {@link SchemaCompatibility}.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /**
     * Parses a level name as the REST API spells it, naming the allowed values when it is unknown.
     */
    public static CompatibilityLevel parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "unknown compatibility level '"
                            + name
                            + "': expected one of "
                            + java.util.Arrays.toString(values()),
                    e);
        }
    }

    /**
     * The incompatibilities of {@code candidate} with {@code existing} (oldest first) at this
     * level; empty when it may be registered.
     */
    public List<String> incompatibilities(Schema candidate, List<Schema> existing) {
        List<String> problems = new ArrayList<>();
        if (existing.isEmpty() || this == NONE) {
            return problems;
        }
        List<Schema> against = transitive ? existing : List.of(existing.get(existing.size() - 1));
        for (int i = 0; i < against.size(); i++) {
            Schema old = against.get(i);
            String version = "version " + (existing.indexOf(old) + 1);
            if (backward) {
                describe(
                        SchemaCompatibility.checkReaderWriterCompatibility(candidate, old),
                        "the new schema cannot read data written with " + version,
                        problems);
            }
            if (forward) {
                describe(
                        SchemaCompatibility.checkReaderWriterCompatibility(old, candidate),
                        version + " cannot read data written with the new schema",
                        problems);
            }
        }
        return problems;
    }

    private static void describe(
            SchemaPairCompatibility pair, String direction, List<String> problems) {
        for (Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
            problems.add(
                    direction
                            + ": "
                            + incompatibility.getType()
                            + " at "
                            + incompatibility.getLocation()
                            + ": "
                            + incompatibility.getMessage());
        }
    }
}
