package io.panoptes.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientConfigsTest {

    @Test
    void shouldLayerTuningTheUsersSettingsAndWhatCorrectnessNeeds() {
        Map<String, Object> user =
                Map.of(
                        "bootstrap.servers",
                        "kafka:9092",
                        "linger.ms",
                        50,
                        "isolation.level",
                        "read_uncommitted",
                        "group.id",
                        "theirs");

        Map<String, Object> config =
                ClientConfigs.of(user, "test-layers")
                        .tune("linger.ms", 5)
                        .tune("batch.size", 1 << 20)
                        .require("isolation.level", "read_committed")
                        .without("group.id")
                        .build();

        assertThat(config)
                .containsEntry("bootstrap.servers", "kafka:9092")
                .containsEntry("linger.ms", 50) // the user's wins over tuning
                .containsEntry("batch.size", 1 << 20)
                .containsEntry(
                        "isolation.level", "read_committed") // correctness wins over the user's
                .doesNotContainKey("group.id");
        assertThat(user).containsEntry("group.id", "theirs");
    }

    @Test
    void shouldNameEveryClientByPurposeAndTellTwoApart() {
        assertThat(ClientConfigs.of(Map.of(), "test-ids").build())
                .containsEntry("client.id", "panoptes-test-ids");
        assertThat(ClientConfigs.of(Map.of(), "test-ids").build())
                .containsEntry("client.id", "panoptes-test-ids-2");
        assertThat(ClientConfigs.of(Map.of("client.id", "site-a"), "test-prefixed").build())
                .containsEntry("client.id", "site-a-test-prefixed");
    }
}
