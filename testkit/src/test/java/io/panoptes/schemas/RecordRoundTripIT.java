package io.panoptes.schemas;

import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The round trips on the cluster the extension gives: the embedded broker unless told otherwise.
 */
@ExtendWith(KafkaClusterExtension.class)
class RecordRoundTripIT extends RecordRoundTripContract {

    private static KafkaCluster kafka;

    @BeforeAll
    static void cluster(KafkaCluster cluster) {
        kafka = cluster;
    }

    @Override
    protected String bootstrapServers() {
        return kafka.bootstrapServers();
    }
}
