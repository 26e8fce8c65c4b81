package io.panoptes.app.cli;

import io.panoptes.kafka.embedded.EmbeddedKafkaBroker;
import io.panoptes.observability.HealthCheck;
import io.panoptes.observability.ObservabilityServer;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.registry.SchemaRegistryServer;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
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
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a single-node Kafka broker (KRaft) and an in-memory schema registry (Confluent REST API) "
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

    @Spec
    private CommandSpec spec;

    @Mixin
    private TopicOptions topics;

    @Mixin
    private MetricsOptions metrics;

    @Option(names = "--kafka-port", defaultValue = "9092", paramLabel = "PORT",
            description = "Loopback port for Kafka clients; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "8081", paramLabel = "PORT",
            description = "Loopback port of the schema registry; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int registryPort;

    @Option(names = "--log-dir", paramLabel = "DIR",
            description = "Keep the Kafka log here across restarts (default: a temporary directory, deleted on exit).")
    private Path logDir;

    @Override
    public Integer call() throws InterruptedException {
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder().port(kafkaPort)
                .brokerProperty("message.max.bytes", String.valueOf(topics.settings().framesMaxMessageBytes()));
        if (logDir != null) {
            builder.logDir(logDir);
        }
        EmbeddedKafkaBroker broker;
        try {
            broker = builder.start();
        } catch (RuntimeException e) {
            throw new UserException("cannot start the embedded Kafka broker: " + e.getMessage(), 1, e);
        }
        SchemaRegistryServer registry;
        try {
            registry = SchemaRegistryServer.start(new InMemorySchemaRegistry(),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), registryPort));
        } catch (RuntimeException e) {
            broker.close();
            throw new UserException("cannot serve the schema registry on port " + registryPort + ": "
                    + e.getCause(), 1, e);
        }
        ObservabilityServer observability = metrics.start("broker");
        observability.addCheck("kafka", () -> reachable(broker.bootstrapServers())
                ? HealthCheck.Health.up("serving at " + broker.bootstrapServers())
                : HealthCheck.Health.down("no answer at " + broker.bootstrapServers()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping: schema registry, then Kafka broker");
            observability.close();
            registry.close();
            broker.close();
            stopped.countDown();
        }, "panoptes-broker-shutdown"));

        PrintWriter out = spec.commandLine().getOut();
        out.println("bootstrap.servers=" + broker.bootstrapServers());
        out.println("schema.registry.url=" + registry.url());
        out.flush();
        TopicsCommand.createTopics(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                topics.settings(), Duration.ofSeconds(30), out);
        log.info("broker ready at {} with schema registry {}; Ctrl-C or SIGTERM stops it",
                broker.bootstrapServers(), registry.url());
        stopped.await();
        return 0;
    }

    private static boolean reachable(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000))) {
            admin.describeCluster().nodes().get(2, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
