package io.panoptes.api;

import io.panoptes.avro.ModelSpec;
import io.panoptes.runtime.http.HttpProblem;
import io.panoptes.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Models as the API sees them: every spec on the compacted models topic, and writes of new
 * versions, which running workers read and load from when a frame next asks (see {@link SpecTopic}
 * for what a write waits for). PUT creates or replaces; with {@code If-Match} it replaces only the
 * version the client read. Thread-safe; writes are serialized within this instance.
 */
final class ModelStore implements AutoCloseable {

    private final SpecTopic<ModelSpec> specs;

    ModelStore(Map<String, Object> kafkaConfig, Topics topics, Duration timeout) {
        this.specs = new SpecTopic<>(kafkaConfig, topics.models(), "models", timeout);
    }

    List<ModelSpec> list() {
        return specs.snapshot().values().stream()
                .sorted(Comparator.comparing(ModelSpec::getModelId))
                .toList();
    }

    Optional<ModelSpec> get(String id) {
        return specs.get(id);
    }

    /**
     * Writes {@code spec} as the next version of its model (version 1 when new).
     *
     * @param ifMatch the version the client read; null to create or replace whatever is there
     * @throws HttpProblem 404 when {@code ifMatch} names a version of a model that does not exist,
     *     409 when the current version is not {@code ifMatch}
     */
    synchronized ModelSpec put(ModelSpec spec, Long ifMatch) {
        specs.catchUp();
        Optional<ModelSpec> current = specs.get(spec.getModelId());
        if (ifMatch != null && current.isEmpty()) {
            throw notFound(spec.getModelId());
        }
        current.ifPresent(
                c -> SpecTopic.requireVersion("model " + c.getModelId(), c.getVersion(), ifMatch));
        ModelSpec next =
                ModelSpec.newBuilder(spec)
                        .setVersion(current.map(c -> c.getVersion() + 1).orElse(1L))
                        .setUpdated(Instant.now())
                        .build();
        specs.write(next.getModelId(), next);
        return next;
    }

    /** Removes model {@code id} (a tombstone): workers unload it once idle. */
    synchronized void delete(String id, Long ifMatch) {
        specs.catchUp();
        ModelSpec current = specs.get(id).orElseThrow(() -> notFound(id));
        SpecTopic.requireVersion("model " + id, current.getVersion(), ifMatch);
        specs.write(id, null);
    }

    static HttpProblem notFound(String id) {
        return new HttpProblem(404, null, "no model " + id + " on the models topic");
    }

    @Override
    public void close() {
        specs.close();
    }
}
