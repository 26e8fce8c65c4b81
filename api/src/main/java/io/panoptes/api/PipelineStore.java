package io.panoptes.api;

import io.panoptes.avro.DesiredState;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.PipelineStatus;
import io.panoptes.runtime.http.HttpProblem;
import io.panoptes.schemas.topics.CompactedView;
import io.panoptes.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Pipelines as the API sees them: every spec and status, read to the end of their compacted topics,
 * and writes of new spec versions. Before each write the view catches up with the topic, so a stale
 * {@code If-Match} is refused (409) when this instance can know better; two API instances writing
 * the same pipeline at the same moment both succeed and the later record wins (last writer wins).
 * After a write the view has read it, so the writer reads its own write. Thread-safe; writes are
 * serialized within this instance.
 */
final class PipelineStore implements AutoCloseable {

    private final SpecTopic<PipelineSpec> specs;
    private final CompactedView<PipelineStatus> statuses;

    PipelineStore(Map<String, Object> kafkaConfig, Topics topics, Duration timeout) {
        this.specs = new SpecTopic<>(kafkaConfig, topics.pipelines(), "pipelines", timeout);
        this.statuses = new CompactedView<>(kafkaConfig, topics.pipelineStatus(), "api-statuses");
    }

    List<PipelineSpec> list() {
        return specs.snapshot().values().stream()
                .sorted(Comparator.comparing(PipelineSpec::getPipelineId))
                .toList();
    }

    Optional<PipelineSpec> get(String id) {
        return specs.get(id);
    }

    /**
     * Why the pipelines cannot be read yet (Kafka unreachable, topics missing), or null when they
     * can.
     */
    String waiting() {
        return specs.waiting() != null ? specs.waiting() : statuses.waiting();
    }

    Optional<PipelineStatus> status(String id) {
        return statuses.get(id);
    }

    /**
     * Creates {@code spec}; an id whose pipeline was terminated may be reused (the version goes
     * on).
     */
    synchronized PipelineSpec create(PipelineSpec spec) {
        specs.catchUp();
        Optional<PipelineSpec> existing = specs.get(spec.getPipelineId());
        if (existing.isPresent() && existing.get().getDesiredState() != DesiredState.TERMINATED) {
            throw new HttpProblem(
                    409,
                    "pipelineId",
                    "pipeline "
                            + spec.getPipelineId()
                            + " exists (version "
                            + existing.get().getVersion()
                            + "); change it with PUT and If-Match, or terminate it first");
        }
        long version = existing.map(s -> s.getVersion() + 1).orElse(1L);
        return write(
                PipelineSpec.newBuilder(spec)
                        .setVersion(version)
                        .setUpdated(Instant.now())
                        .build());
    }

    /**
     * Writes the next version of pipeline {@code id}, made by {@code change} from the current one.
     *
     * @param ifMatch the version the client read; null to skip the check
     * @throws HttpProblem 404 for an unknown pipeline, 409 when the current version is not {@code
     *     ifMatch}
     */
    synchronized PipelineSpec update(
            String id, Long ifMatch, UnaryOperator<PipelineSpec.Builder> change) {
        specs.catchUp();
        PipelineSpec current = specs.get(id).orElseThrow(() -> ApiServer.notFound(id));
        SpecTopic.requireVersion("pipeline " + id, current.getVersion(), ifMatch);
        PipelineSpec.Builder next = change.apply(PipelineSpec.newBuilder(current));
        return write(
                next.setPipelineId(id)
                        .setVersion(current.getVersion() + 1)
                        .setUpdated(Instant.now())
                        .build());
    }

    /** Removes pipeline {@code id} (a tombstone): its owner stops it and its status goes too. */
    synchronized void delete(String id, Long ifMatch) {
        specs.catchUp();
        PipelineSpec current = specs.get(id).orElseThrow(() -> ApiServer.notFound(id));
        SpecTopic.requireVersion("pipeline " + id, current.getVersion(), ifMatch);
        specs.write(id, null);
    }

    private PipelineSpec write(PipelineSpec spec) {
        specs.write(spec.getPipelineId(), spec);
        return spec;
    }

    @Override
    public void close() {
        specs.close();
        statuses.close();
    }
}
