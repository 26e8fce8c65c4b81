package io.panoptes.app.cli;

import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code panoptes topics}: the contract's topics. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Manage the topics of the Panoptes contract.",
        subcommands = TopicsCommand.Create.class)
public final class TopicsCommand implements Runnable {

    @Spec private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Creates the topics of {@code settings} on the cluster that {@code clientConfig} reaches,
     * printing one line per topic, and turns the admin's failures into one-line user errors.
     */
    static void createTopics(
            Map<String, Object> clientConfig,
            TopicSettings settings,
            Duration timeout,
            PrintWriter out) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) Math.min(timeout.toMillis(), 30_000));
        try (Admin admin = Admin.create(config)) {
            for (TopicAdmin.Outcome outcome :
                    new TopicAdmin(admin, timeout).ensure(settings.specs())) {
                out.printf(
                        "%-8s %s (%d partitions)%n",
                        outcome.created() ? "created" : "exists",
                        outcome.topic(),
                        outcome.partitions());
            }
        } catch (TopicAdmin.IncompatibleTopicException e) {
            throw new UserException(
                    e.problems().size()
                            + " existing topic setting(s) do not match:\n  "
                            + String.join("\n  ", e.problems()));
        } catch (TopicAdmin.TopicAdminException e) {
            throw new UserException(
                    e.getMessage()
                            + " [bootstrap.servers="
                            + config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)
                            + "]",
                    UserException.UNREACHABLE,
                    e);
        }
        out.flush();
    }

    /** {@code panoptes topics create}. */
    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description =
                    "Create every topic of the contract (frames, detections, tracks, counts, events, "
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

        @Spec private CommandSpec spec;

        @Mixin private KafkaOptions kafka;

        @Mixin private TopicOptions topics;

        @Option(
                names = "--timeout",
                defaultValue = "30s",
                converter = DurationConverter.class,
                paramLabel = "DURATION",
                description = "How long to wait for Kafka (default: ${DEFAULT-VALUE}).")
        private Duration timeout;

        @Override
        public void run() {
            createTopics(
                    kafka.clientConfig(), topics.settings(), timeout, spec.commandLine().getOut());
        }
    }
}
