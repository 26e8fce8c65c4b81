package io.panoptes.app.cli;

import io.panoptes.runtime.observability.ObservabilityServer;
import io.panoptes.schemas.topics.Topics;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What every role that reads or writes the topics needs: Kafka, the registry, the topic prefix, its
 * metrics.
 */
public final class RoleOptions {

    @Mixin private KafkaOptions kafka;

    @Mixin private RegistryOptions registry;

    @Mixin private MetricsOptions metrics;

    @Option(
            names = "--prefix",
            defaultValue = Topics.DEFAULT_PREFIX,
            paramLabel = "PREFIX",
            description = "Topic-name prefix (default: ${DEFAULT-VALUE}).")
    private String prefix;

    /** The topics, with serdes on the configured registry. */
    public Topics topics() {
        return Topics.create(prefix, registry.client());
    }

    public Map<String, Object> clientConfig() {
        return kafka.clientConfig();
    }

    public ObservabilityServer startObservability(String role) {
        return metrics.start(role);
    }

    /** The options of metrics and health, for {@link RoleRun}. */
    public MetricsOptions metrics() {
        return metrics;
    }
}
