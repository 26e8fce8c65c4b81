package io.panoptes.schemas;

import io.panoptes.testkit.KafkaClusterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/** The round trips against Apache Kafka in a container; skipped where no Docker engine runs. */
@Testcontainers(disabledWithoutDocker = true)
class RecordRoundTripContainerIT extends RecordRoundTripContract {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(KafkaClusterExtension.KAFKA_IMAGE);

    @Override
    protected String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }
}
