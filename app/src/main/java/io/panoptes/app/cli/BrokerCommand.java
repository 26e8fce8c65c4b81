package io.panoptes.app.cli;

import io.panoptes.kafka.embedded.EmbeddedKafkaBroker;
import io.panoptes.kafka.embedded.LocalCluster;
import io.panoptes.kafka.embedded.SchemaRegistryServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code panoptes broker}: the embedded single-node Kafka broker and the in-memory schema registry
 * as a process of their own, with the contract's topics created, until SIGTERM or Ctrl-C.
 */
@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        description =
                "Run a single-node Kafka broker (KRaft) and an in-memory schema registry (Confluent REST API) "
                        + "in this process, create the topics, and print their addresses for other programs, in any "
                        + "language, to attach. For development, demos and tests: one node, replication 1, and the "
                        + "registry forgets its schemas on exit.",
        footer = {
            "",
            "Examples:",
            "  panoptes broker",
            "  panoptes broker --kafka-port 0 --registry-port 0 --log-dir /tmp/panoptes-kafka",
            "",
            "Prints bootstrap.servers=HOST:PORT and schema.registry.url=URL, then one line per topic."
        })
public final class BrokerCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(BrokerCommand.class);

    @Spec private CommandSpec spec;

    @Mixin private TopicOptions topics;

    @Mixin private MetricsOptions metrics;

    @Option(
            names = "--kafka-port",
            defaultValue = "" + EmbeddedKafkaBroker.STANDARD_PORT,
            paramLabel = "PORT",
            description =
                    "Loopback port for Kafka clients; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int kafkaPort;

    @Option(
            names = "--registry-port",
            defaultValue = "" + SchemaRegistryServer.STANDARD_PORT,
            paramLabel = "PORT",
            description =
                    "Loopback port of the schema registry; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int registryPort;

    @Option(
            names = "--log-dir",
            paramLabel = "DIR",
            description =
                    "Keep the Kafka log here across restarts (default: a temporary directory, deleted on exit).")
    private Path logDir;

    @Override
    public Integer call() throws InterruptedException {
        EmbeddedKafkaBroker.Builder builder =
                EmbeddedKafkaBroker.builder()
                        .port(kafkaPort)
                        .brokerProperty(
                                "message.max.bytes",
                                String.valueOf(topics.settings().framesMaxMessageBytes()));
        if (logDir != null) {
            builder.logDir(logDir);
        }
        LocalCluster cluster = new LocalCluster(builder, registryPort);
        PrintWriter out = spec.commandLine().getOut();
        try {
            RoleRun.run(
                    "broker",
                    metrics,
                    observability -> List.of(cluster.onStart(() -> announce(cluster, out))));
        } catch (IllegalStateException e) {
            throw new UserException(e.getMessage(), 1, e);
        }
        return 0;
    }

    /** Prints where the cluster is, creates the topics, one line each. */
    private void announce(LocalCluster cluster, PrintWriter out) {
        out.println("bootstrap.servers=" + cluster.bootstrapServers());
        out.println("schema.registry.url=" + cluster.registryUrl());
        out.flush();
        TopicsCommand.createTopics(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                topics.settings(),
                Duration.ofSeconds(30),
                out);
        log.info(
                "broker ready at {} with schema registry {}; Ctrl-C or SIGTERM stops it",
                cluster.bootstrapServers(),
                cluster.registryUrl());
    }
}
