package io.panoptes.ingest.pipeline;

import io.panoptes.pipeline.source.SourcePolicy;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Objects;

/**
 * How an ingest instance takes part in sharing pipelines.
 *
 * @param group consumer group of the ingest instances on the pipelines topic
 * @param instanceId this instance in {@code PipelineStatus.owner}
 * @param statusInterval how often each owned pipeline's status is published (also on every change
 *     of spec)
 * @param stopTimeout how long a pipeline being stopped (paused, moved, terminated) may take to
 *     release its source
 * @param sources which sources a pipeline may name
 */
public record ControlSettings(
        String group,
        String instanceId,
        Duration statusInterval,
        Duration stopTimeout,
        SourcePolicy sources) {

    public static final String DEFAULT_GROUP = "panoptes-ingest";

    public ControlSettings {
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("pipelines group must not be blank");
        }
        if (instanceId == null || instanceId.isBlank()) {
            throw new IllegalArgumentException("instance id must not be blank");
        }
        if (statusInterval.toMillis() < 100) {
            throw new IllegalArgumentException(
                    "status interval must be at least 100 ms, got " + statusInterval);
        }
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        Objects.requireNonNull(sources, "sources");
    }

    /**
     * Group {@value #DEFAULT_GROUP}, this host and process as the owner, status every 2 s, 10 s to
     * stop a source.
     */
    public static ControlSettings defaults(SourcePolicy sources) {
        return new ControlSettings(
                DEFAULT_GROUP,
                defaultInstanceId(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                sources);
    }

    public ControlSettings withGroup(String group) {
        return new ControlSettings(group, instanceId, statusInterval, stopTimeout, sources);
    }

    public ControlSettings withInstanceId(String instanceId) {
        return new ControlSettings(group, instanceId, statusInterval, stopTimeout, sources);
    }

    public ControlSettings withStatusInterval(Duration interval) {
        return new ControlSettings(group, instanceId, interval, stopTimeout, sources);
    }

    /** {@code pid@host}, as the JVM names itself. */
    public static String defaultInstanceId() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }
}
