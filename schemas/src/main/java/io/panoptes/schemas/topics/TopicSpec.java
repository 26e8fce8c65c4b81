package io.panoptes.schemas.topics;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A topic to create: its name, partition count, replication factor (empty: the broker's default)
 * and topic-level configuration.
 */
public record TopicSpec(
        String name,
        int partitions,
        Optional<Short> replicationFactor,
        Map<String, String> configs) {
    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException(
                    "topic " + name + ": partitions must be >= 1, got " + partitions);
        }
        replicationFactor = replicationFactor == null ? Optional.empty() : replicationFactor;
        configs = Map.copyOf(configs);
    }

    public String cleanupPolicy() {
        return configs.getOrDefault("cleanup.policy", "delete");
    }
}
