package io.panoptes.testkit;

import io.panoptes.kafka.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Gives tests a {@link KafkaCluster} parameter, one per test JVM, closed when the JVM's tests end:
 *
 * <ul>
 *   <li>an external cluster when the environment variable {@code KAFKA_BOOTSTRAP_SERVERS} is set;
 *   <li>otherwise a Testcontainers {@code apache/kafka} container when {@code PANOPTES_TEST_KAFKA}
 *       (environment) or {@code panoptes.test.kafka} (system property) is {@code testcontainers};
 *   <li>otherwise the in-JVM {@link EmbeddedKafkaBroker}.
 * </ul>
 */
public final class KafkaClusterExtension implements ParameterResolver {

    /** Image used when a Docker engine is asked for. */
    public static final String KAFKA_IMAGE = "apache/kafka:4.1.1";

    private static final Logger log = LoggerFactory.getLogger(KafkaClusterExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KafkaClusterExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent("cluster", key -> startCluster(), ClosableCluster.class);
    }

    private static ClosableCluster startCluster() {
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            log.info("tests use the external Kafka cluster at {}", external);
            return new ClosableCluster(external, "external cluster " + external, () -> {});
        }
        String mode =
                System.getProperty("panoptes.test.kafka", System.getenv("PANOPTES_TEST_KAFKA"));
        if ("testcontainers".equalsIgnoreCase(mode)) {
            return startContainer();
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        return new ClosableCluster(
                broker.bootstrapServers(),
                "embedded KRaft broker " + broker.bootstrapServers(),
                broker::close);
    }

    private static ClosableCluster startContainer() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new ExtensionConfigurationException(
                    "PANOPTES_TEST_KAFKA=testcontainers asks for a Kafka"
                            + " container, but no Docker engine answers; unset it to use the embedded broker");
        }
        KafkaContainer container = new KafkaContainer(KAFKA_IMAGE);
        container.start();
        return new ClosableCluster(
                container.getBootstrapServers(),
                "Testcontainers " + KAFKA_IMAGE + " " + container.getBootstrapServers(),
                container::stop);
    }

    /** A cluster that JUnit closes with the root extension context. */
    static final class ClosableCluster implements KafkaCluster, AutoCloseable {
        private final String bootstrapServers;
        private final String description;
        private final Runnable stop;

        ClosableCluster(String bootstrapServers, String description, Runnable stop) {
            this.bootstrapServers = bootstrapServers;
            this.description = description;
            this.stop = stop;
        }

        @Override
        public String bootstrapServers() {
            return bootstrapServers;
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public void close() {
            stop.run();
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
