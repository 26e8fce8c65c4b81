package io.panoptes.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.avro.Schema;

/**
 * A schema registry held in memory with the semantics of the Confluent registry: global ids that
 * are the same for the same schema text in every subject, versions from 1 per subject, and
 * compatibility checked on registration ({@link CompatibilityLevel#FULL_TRANSITIVE} by default).
 * {@link SchemaRegistryServer} serves it over HTTP. Thread-safe; all state is guarded by this.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

    private final Map<String, Integer> idsByCanonicalText = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, List<Integer>> idsBySubject = new LinkedHashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel;

    public InMemorySchemaRegistry() {
        this(CompatibilityLevel.FULL_TRANSITIVE);
    }

    public InMemorySchemaRegistry(CompatibilityLevel globalLevel) {
        this.globalLevel = globalLevel;
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        Optional<RegisteredSchema> existing = lookup(subject, schema);
        if (existing.isPresent()) {
            return existing.get().id();
        }
        CompatibilityResult result = testCompatibility(subject, schema);
        if (!result.compatible()) {
            throw new IncompatibleSchemaException(
                    "Schema being registered is incompatible with an earlier schema"
                            + " for subject \""
                            + subject
                            + "\" ("
                            + compatibility(subject)
                            + "): "
                            + String.join("; ", result.messages()));
        }
        int id =
                idsByCanonicalText.computeIfAbsent(
                        schema.toString(),
                        text -> {
                            int next = schemasById.size() + 1;
                            schemasById.put(next, schema);
                            return next;
                        });
        idsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return id;
    }

    @Override
    public synchronized Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        Integer id = idsByCanonicalText.get(schema.toString());
        List<Integer> ids = idsBySubject.getOrDefault(subject, List.of());
        if (id == null || !ids.contains(id)) {
            return Optional.empty();
        }
        return Optional.of(
                new RegisteredSchema(subject, ids.indexOf(id) + 1, id, schemasById.get(id)));
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaNotFoundException(
                    SchemaNotFoundException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema version(String subject, int version) {
        List<Integer> ids = subjectIds(subject);
        if (version < 1 || version > ids.size()) {
            throw new SchemaNotFoundException(
                    SchemaNotFoundException.VERSION_NOT_FOUND,
                    "Version "
                            + version
                            + " not found for subject '"
                            + subject
                            + "' (it has 1.."
                            + ids.size()
                            + ")");
        }
        int id = ids.get(version - 1);
        return new RegisteredSchema(subject, version, id, schemasById.get(id));
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        return version(subject, subjectIds(subject).size());
    }

    @Override
    public synchronized List<Integer> versions(String subject) {
        return IntStream.rangeClosed(1, subjectIds(subject).size()).boxed().toList();
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(idsBySubject.keySet());
    }

    @Override
    public synchronized CompatibilityResult testCompatibility(String subject, Schema schema) {
        List<Schema> existing =
                idsBySubject.getOrDefault(subject, List.of()).stream()
                        .map(schemasById::get)
                        .toList();
        return CompatibilityResult.of(compatibility(subject).incompatibilities(schema, existing));
    }

    @Override
    public synchronized CompatibilityLevel compatibility(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    /** The subject's own level, if one was set. */
    public synchronized Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    @Override
    public synchronized void setCompatibility(String subject, CompatibilityLevel level) {
        subjectLevels.put(subject, level);
    }

    @Override
    public synchronized CompatibilityLevel globalCompatibility() {
        return globalLevel;
    }

    @Override
    public synchronized void setGlobalCompatibility(CompatibilityLevel level) {
        globalLevel = level;
    }

    private List<Integer> subjectIds(String subject) {
        List<Integer> ids = idsBySubject.get(subject);
        if (ids == null) {
            throw new SchemaNotFoundException(
                    SchemaNotFoundException.SUBJECT_NOT_FOUND,
                    "Subject '" + subject + "' not found.");
        }
        return ids;
    }
}
