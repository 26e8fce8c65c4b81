package io.panoptes.schemas.topics;

import io.panoptes.runtime.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Partitions, replication and retention of the contract's topics. The partition count of the frames
 * topic bounds how many workers can share the load, so it is set on its own.
 *
 * @param prefix topic-name prefix shared by the deployment, e.g. {@code panoptes.}
 * @param framesPartitions partitions of the frames topic (the workers' parallelism)
 * @param partitions partitions of the result topics (detections, tracks, counts, events, DLQ)
 * @param controlPartitions partitions of the pipelines, pipeline-status and models topics (ingest
 *     parallelism)
 * @param replicationFactor replicas per partition; empty for the broker's default
 * @param framesRetention how long frames are kept (they are heavy)
 * @param resultsRetention how long results, counts and events are kept
 * @param dlqRetention how long dead letters are kept
 * @param framesMaxMessageBytes largest frame record; larger frames use the claim check
 */
public record TopicSettings(
        String prefix,
        int framesPartitions,
        int partitions,
        int controlPartitions,
        Optional<Short> replicationFactor,
        Duration framesRetention,
        Duration resultsRetention,
        Duration dlqRetention,
        int framesMaxMessageBytes) {

    public static final int DEFAULT_FRAMES_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
    public static final int DEFAULT_FRAMES_PARTITIONS = 6;
    public static final int DEFAULT_PARTITIONS = 6;
    public static final int DEFAULT_CONTROL_PARTITIONS = 4;
    public static final String DEFAULT_FRAMES_RETENTION = "1h";
    public static final String DEFAULT_RESULTS_RETENTION = "7d";
    public static final String DEFAULT_DLQ_RETENTION = "14d";

    public TopicSettings {
        Topics.validatePrefix(prefix);
        requireRange("framesPartitions", framesPartitions, 1, 10_000);
        requireRange("partitions", partitions, 1, 10_000);
        requireRange("controlPartitions", controlPartitions, 1, 10_000);
        replicationFactor = replicationFactor == null ? Optional.empty() : replicationFactor;
        replicationFactor.ifPresent(rf -> requireRange("replicationFactor", rf, 1, 32));
        requirePositive("framesRetention", framesRetention);
        requirePositive("resultsRetention", resultsRetention);
        requirePositive("dlqRetention", dlqRetention);
        requireRange("framesMaxMessageBytes", framesMaxMessageBytes, 64 * 1024, 256 * 1024 * 1024);
    }

    public static TopicSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The specs of every topic of the contract, in {@link TopicKind} order. */
    public List<TopicSpec> specs() {
        List<TopicSpec> specs = new ArrayList<>();
        for (TopicKind kind : TopicKind.values()) {
            specs.add(
                    new TopicSpec(
                            kind.topicName(prefix),
                            partitionsOf(kind),
                            replicationFactor,
                            configsOf(kind)));
        }
        return specs;
    }

    private int partitionsOf(TopicKind kind) {
        return switch (kind) {
            case FRAMES -> framesPartitions;
            case PIPELINES, PIPELINE_STATUS, MODELS -> controlPartitions;
            default -> partitions;
        };
    }

    private Map<String, String> configsOf(TopicKind kind) {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", kind.cleanupPolicy());
        switch (kind) {
            case FRAMES -> {
                configs.put("retention.ms", String.valueOf(framesRetention.toMillis()));
                configs.put("max.message.bytes", String.valueOf(framesMaxMessageBytes));
            }
            case DLQ -> configs.put("retention.ms", String.valueOf(dlqRetention.toMillis()));
            case PIPELINES, PIPELINE_STATUS, MODELS -> configs.put("min.compaction.lag.ms", "0");
            default -> configs.put("retention.ms", String.valueOf(resultsRetention.toMillis()));
        }
        return configs;
    }

    private static void requireRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
    }

    /**
     * Defaults: prefix {@code panoptes.}, 6 frame and result partitions, 4 control partitions,
     * broker-default replication, frames kept 1 h, results 7 d, dead letters 14 d, frames up to 4
     * MiB.
     */
    public static final class Builder {
        private String prefix = Topics.DEFAULT_PREFIX;
        private int framesPartitions = DEFAULT_FRAMES_PARTITIONS;
        private int partitions = DEFAULT_PARTITIONS;
        private int controlPartitions = DEFAULT_CONTROL_PARTITIONS;
        private Short replicationFactor;
        private Duration framesRetention = Durations.parse(DEFAULT_FRAMES_RETENTION);
        private Duration resultsRetention = Durations.parse(DEFAULT_RESULTS_RETENTION);
        private Duration dlqRetention = Durations.parse(DEFAULT_DLQ_RETENTION);
        private int framesMaxMessageBytes = DEFAULT_FRAMES_MAX_MESSAGE_BYTES;

        private Builder() {}

        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        public Builder framesPartitions(int partitions) {
            this.framesPartitions = partitions;
            return this;
        }

        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        public Builder controlPartitions(int partitions) {
            this.controlPartitions = partitions;
            return this;
        }

        public Builder replicationFactor(short replicationFactor) {
            this.replicationFactor = replicationFactor;
            return this;
        }

        public Builder framesRetention(Duration retention) {
            this.framesRetention = retention;
            return this;
        }

        public Builder resultsRetention(Duration retention) {
            this.resultsRetention = retention;
            return this;
        }

        public Builder dlqRetention(Duration retention) {
            this.dlqRetention = retention;
            return this;
        }

        public Builder framesMaxMessageBytes(int bytes) {
            this.framesMaxMessageBytes = bytes;
            return this;
        }

        public TopicSettings build() {
            return new TopicSettings(
                    prefix,
                    framesPartitions,
                    partitions,
                    controlPartitions,
                    Optional.ofNullable(replicationFactor),
                    framesRetention,
                    resultsRetention,
                    dlqRetention,
                    framesMaxMessageBytes);
        }
    }
}
