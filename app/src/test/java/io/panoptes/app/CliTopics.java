package io.panoptes.app;

import io.panoptes.kafka.embedded.SchemaRegistryServer;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.KafkaCluster;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;

/**
 * For tests of the roles' commands: an HTTP-served registry and fresh topics under a unique prefix.
 */
final class CliTopics implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(90);

    final SchemaRegistryServer registry = SchemaRegistryServer.start(new InMemorySchemaRegistry());
    final String prefix;
    final Topics topics;

    CliTopics(KafkaCluster kafka, String name, int framesPartitions) throws Exception {
        prefix = kafka.uniqueName(name) + ".";
        topics = Topics.create(prefix, registry.registry());
        try (Admin admin = kafka.admin()) {
            new TopicAdmin(admin, WAIT)
                    .ensure(
                            TopicSettings.builder()
                                    .prefix(prefix)
                                    .framesPartitions(framesPartitions)
                                    .build()
                                    .specs());
        }
        // a produce right after creation can meet a leader that is not ready, and the idempotent
        // producer's retry
        // was seen to go wrong then (DEVELOPERS.md): give the new partitions' leaders a moment
        Thread.sleep(1500);
    }

    String registryUrl() {
        return registry.url().toString();
    }

    @Override
    public void close() {
        registry.close();
    }
}
