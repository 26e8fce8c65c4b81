package io.panoptes.testkit;

import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;

/**
 * A fresh set of the contract's topics for one test, under a unique prefix, with an in-memory
 * registry.
 */
public final class TestTopics {

    private TestTopics() {}

    /**
     * Creates the topics ({@code settings} chooses partitions) and lets their new leaders settle
     * before the first produce.
     */
    public static Topics create(
            KafkaCluster kafka, String name, UnaryOperator<TopicSettings.Builder> settings)
            throws Exception {
        String prefix = kafka.uniqueName(name) + ".";
        try (Admin admin = kafka.admin()) {
            new TopicAdmin(admin, Duration.ofSeconds(30))
                    .ensure(settings.apply(TopicSettings.builder().prefix(prefix)).build().specs());
        }
        Thread.sleep(1000);
        return Topics.create(prefix, new InMemorySchemaRegistry());
    }
}
