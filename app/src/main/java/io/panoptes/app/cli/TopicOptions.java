package io.panoptes.app.cli;

import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options that shape the contract's topics, shared by every command that creates them. */
public final class TopicOptions {

    @Option(
            names = "--prefix",
            defaultValue = Topics.DEFAULT_PREFIX,
            paramLabel = "PREFIX",
            description = "Topic-name prefix shared by one deployment (default: ${DEFAULT-VALUE}).")
    private String prefix;

    @Option(
            names = "--frames-partitions",
            defaultValue = "" + TopicSettings.DEFAULT_FRAMES_PARTITIONS,
            paramLabel = "N",
            description =
                    "Partitions of the frames topic: the most workers that can share the load (default: ${DEFAULT-VALUE}).")
    private int framesPartitions;

    @Option(
            names = "--partitions",
            defaultValue = "" + TopicSettings.DEFAULT_PARTITIONS,
            paramLabel = "N",
            description = "Partitions of the result topics (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(
            names = "--control-partitions",
            defaultValue = "" + TopicSettings.DEFAULT_CONTROL_PARTITIONS,
            paramLabel = "N",
            description =
                    "Partitions of the pipelines and pipeline-status topics (default: ${DEFAULT-VALUE}).")
    private int controlPartitions;

    @Option(
            names = "--replication-factor",
            paramLabel = "N",
            description =
                    "Replicas per partition (default: the broker's default.replication.factor).")
    private Short replicationFactor;

    @Option(
            names = "--frames-retention",
            defaultValue = TopicSettings.DEFAULT_FRAMES_RETENTION,
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How long frames are kept (default: ${DEFAULT-VALUE}).")
    private Duration framesRetention;

    @Option(
            names = "--results-retention",
            defaultValue = TopicSettings.DEFAULT_RESULTS_RETENTION,
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "How long detections, tracks, counts and events are kept (default: ${DEFAULT-VALUE}).")
    private Duration resultsRetention;

    @Option(
            names = "--dlq-retention",
            defaultValue = TopicSettings.DEFAULT_DLQ_RETENTION,
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How long dead letters are kept (default: ${DEFAULT-VALUE}).")
    private Duration dlqRetention;

    @Option(
            names = "--frames-max-message-bytes",
            paramLabel = "BYTES",
            defaultValue = "" + TopicSettings.DEFAULT_FRAMES_MAX_MESSAGE_BYTES,
            description =
                    "Largest frame record; larger frames go through the claim check (default: ${DEFAULT-VALUE}).")
    private int framesMaxMessageBytes;

    /**
     * The settings, validated: an invalid value raises an exception naming it and its allowed
     * range.
     */
    public TopicSettings settings() {
        TopicSettings.Builder settings =
                TopicSettings.builder()
                        .prefix(prefix)
                        .framesPartitions(framesPartitions)
                        .partitions(partitions)
                        .controlPartitions(controlPartitions)
                        .framesRetention(framesRetention)
                        .resultsRetention(resultsRetention)
                        .dlqRetention(dlqRetention)
                        .framesMaxMessageBytes(framesMaxMessageBytes);
        if (replicationFactor != null) {
            settings.replicationFactor(replicationFactor);
        }
        return settings.build();
    }
}
