package io.panoptes.kafka.embedded;

import io.panoptes.runtime.lifecycle.Lifecycle;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.runtime.observability.HealthCheck;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The cluster of one machine, as a role: the embedded broker and the in-memory schema registry on
 * loopback, started together and stopped in reverse order (registry, then broker). Healthy while
 * the broker answers. For {@code panoptes broker} and {@code panoptes local}.
 */
public final class LocalCluster implements RoleService {

    private static final int HEALTH_TIMEOUT_MS = 2000;

    private final EmbeddedKafkaBroker.Builder broker;
    private final int registryPort;
    private final Lifecycle lifecycle = new Lifecycle("the local cluster");
    private EmbeddedKafkaBroker kafka;
    private SchemaRegistryServer registry;

    /**
     * A cluster from {@code broker} with a registry on {@code registryPort} (0 picks a free one).
     */
    public LocalCluster(EmbeddedKafkaBroker.Builder broker, int registryPort) {
        this.broker = broker;
        this.registryPort = registryPort;
    }

    @Override
    public String name() {
        return "kafka";
    }

    /**
     * Starts the broker, then the registry.
     *
     * @throws IllegalStateException when the broker cannot start, {@link
     *     java.io.UncheckedIOException} when the registry's port is taken; nothing is left running
     *     either way
     */
    @Override
    public synchronized void start() {
        lifecycle.start();
        try {
            kafka = broker.start();
        } catch (RuntimeException e) {
            lifecycle.close();
            throw new IllegalStateException(
                    "cannot start the embedded Kafka broker: " + e.getMessage(), e);
        }
        try {
            registry =
                    SchemaRegistryServer.start(
                            new InMemorySchemaRegistry(),
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), registryPort));
        } catch (RuntimeException e) {
            lifecycle.close();
            kafka.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        lifecycle.requireStarted();
        return kafka.bootstrapServers();
    }

    public URI registryUrl() {
        lifecycle.requireStarted();
        return registry.url();
    }

    public InMemorySchemaRegistry registry() {
        lifecycle.requireStarted();
        return registry.registry();
    }

    @Override
    public HealthCheck.Health health() {
        if (!lifecycle.isStarted()) {
            return HealthCheck.Health.down(lifecycle.isClosed() ? "stopped" : "not started");
        }
        return reachable()
                ? HealthCheck.Health.up("serving at " + kafka.bootstrapServers())
                : HealthCheck.Health.down("no answer at " + kafka.bootstrapServers());
    }

    private boolean reachable() {
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                HEALTH_TIMEOUT_MS,
                                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                                HEALTH_TIMEOUT_MS))) {
            admin.describeCluster().nodes().get(HEALTH_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public Optional<String> failure() {
        return Optional.empty();
    }

    /** Stops the registry, then the broker. */
    @Override
    public synchronized void close() {
        boolean started = lifecycle.isStarted();
        if (lifecycle.close() && started) {
            registry.close();
            kafka.close();
        }
    }
}
