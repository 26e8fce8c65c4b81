package io.panoptes.testkit;

import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The Kafka cluster a test runs against, as chosen by {@link KafkaClusterExtension}. Clusters may
 * be shared by many tests (and, when external, by other people): name topics and groups with {@link
 * #uniqueName(String)}.
 */
public interface KafkaCluster {

    /** The {@code bootstrap.servers} value for clients. */
    String bootstrapServers();

    /** Where the cluster runs, for logs and assertion messages. */
    String description();

    /** A name no other test has used, e.g. {@code frames-3f2a9c1e}. */
    default String uniqueName(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A new admin client for this cluster; the caller closes it. */
    default Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }
}
