package io.panoptes.app.cli;

import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.TopicSpec;
import io.panoptes.schemas.topics.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code panoptes topics}: the contract's topics. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Manage the topics of the Panoptes contract.",
        subcommands = TopicsCommand.Create.class)
public final class TopicsCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code panoptes topics create}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create every topic of the contract (frames, detections, tracks, counts, events, "
                    + "pipelines, pipeline-status, dlq). Idempotent: existing topics are kept and checked, and the "
                    + "command fails, naming each, when one has fewer partitions, another cleanup policy or a smaller "
                    + "message limit than asked.",
            footer = {
                "",
                "Examples:",
                "  panoptes topics create",
                "  panoptes topics create --bootstrap-servers kafka:9092 --frames-partitions 24",
                "  panoptes topics create --prefix site-a. --frames-retention 30m --results-retention 30d"
            })
    public static final class Create implements Runnable {

        @Spec
        private CommandSpec spec;

        @Mixin
        private KafkaOptions kafka;

        @Option(names = "--prefix", defaultValue = Topics.DEFAULT_PREFIX, paramLabel = "PREFIX",
                description = "Topic-name prefix shared by one deployment (default: ${DEFAULT-VALUE}).")
        private String prefix;

        @Option(names = "--frames-partitions", defaultValue = "6", paramLabel = "N",
                description = "Partitions of the frames topic: the most workers that can share the load (default: ${DEFAULT-VALUE}).")
        private int framesPartitions;

        @Option(names = "--partitions", defaultValue = "6", paramLabel = "N",
                description = "Partitions of the result topics (default: ${DEFAULT-VALUE}).")
        private int partitions;

        @Option(names = "--control-partitions", defaultValue = "4", paramLabel = "N",
                description = "Partitions of the pipelines and pipeline-status topics (default: ${DEFAULT-VALUE}).")
        private int controlPartitions;

        @Option(names = "--replication-factor", paramLabel = "N",
                description = "Replicas per partition (default: the broker's default.replication.factor).")
        private Short replicationFactor;

        @Option(names = "--frames-retention", defaultValue = "1h", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "How long frames are kept (default: ${DEFAULT-VALUE}).")
        private Duration framesRetention;

        @Option(names = "--results-retention", defaultValue = "7d", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "How long detections, tracks, counts and events are kept (default: ${DEFAULT-VALUE}).")
        private Duration resultsRetention;

        @Option(names = "--dlq-retention", defaultValue = "14d", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "How long dead letters are kept (default: ${DEFAULT-VALUE}).")
        private Duration dlqRetention;

        @Option(names = "--frames-max-message-bytes", paramLabel = "BYTES",
                defaultValue = "" + TopicSettings.DEFAULT_FRAMES_MAX_MESSAGE_BYTES,
                description = "Largest frame record; larger frames go through the claim check (default: ${DEFAULT-VALUE}).")
        private int framesMaxMessageBytes;

        @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "How long to wait for Kafka (default: ${DEFAULT-VALUE}).")
        private Duration timeout;

        @Override
        public void run() {
            TopicSettings.Builder settings = TopicSettings.builder()
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
            List<TopicSpec> specs = settings.build().specs();
            Map<String, Object> config = new HashMap<>(kafka.clientConfig());
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
            PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = Admin.create(config)) {
                for (TopicAdmin.Outcome outcome : new TopicAdmin(admin, timeout).ensure(specs)) {
                    out.printf("%-8s %s (%d partitions)%n", outcome.created() ? "created" : "exists",
                            outcome.topic(), outcome.partitions());
                }
            } catch (TopicAdmin.IncompatibleTopicException e) {
                throw new UserException(e.problems().size() + " existing topic setting(s) do not match:\n  "
                        + String.join("\n  ", e.problems()));
            } catch (TopicAdmin.TopicAdminException e) {
                throw new UserException(e.getMessage() + " [bootstrap.servers="
                        + config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + "]", UserException.UNREACHABLE, e);
            }
            out.flush();
        }
    }
}
