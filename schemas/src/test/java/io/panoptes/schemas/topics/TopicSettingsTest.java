package io.panoptes.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TopicSettingsTest {

    @Test
    void shouldDescribeEveryTopicOfTheContract() {
        Map<String, TopicSpec> specs =
                TopicSettings.builder()
                        .prefix("site-a.")
                        .framesPartitions(12)
                        .build()
                        .specs()
                        .stream()
                        .collect(Collectors.toMap(TopicSpec::name, s -> s));

        assertThat(specs)
                .containsOnlyKeys(
                        "site-a.frames",
                        "site-a.detections",
                        "site-a.tracks",
                        "site-a.counts",
                        "site-a.events",
                        "site-a.pipelines",
                        "site-a.pipeline-status",
                        "site-a.models",
                        "site-a.dlq");
        assertThat(specs.get("site-a.frames").partitions()).isEqualTo(12);
        assertThat(specs.get("site-a.frames").configs())
                .containsEntry("retention.ms", "3600000")
                .containsEntry("max.message.bytes", "4194304");
        assertThat(specs.get("site-a.counts").cleanupPolicy()).isEqualTo("compact,delete");
        assertThat(specs.get("site-a.pipelines").cleanupPolicy()).isEqualTo("compact");
        assertThat(specs.get("site-a.pipelines").partitions()).isEqualTo(4);
        assertThat(specs.get("site-a.models").cleanupPolicy()).isEqualTo("compact");
        assertThat(specs.get("site-a.models").partitions()).isEqualTo(4);
        assertThat(specs.get("site-a.dlq").configs())
                .containsEntry("retention.ms", String.valueOf(Duration.ofDays(14).toMillis()));
        assertThat(specs.get("site-a.detections").replicationFactor()).isEmpty();
    }

    @Test
    void shouldNameTheSettingAndTheAllowedRange() {
        assertThatThrownBy(() -> TopicSettings.builder().framesPartitions(0).build())
                .hasMessage("framesPartitions must be in [1, 10000], got 0");
        assertThatThrownBy(() -> TopicSettings.builder().replicationFactor((short) 0).build())
                .hasMessage("replicationFactor must be in [1, 32], got 0");
        assertThatThrownBy(
                        () ->
                                TopicSettings.builder()
                                        .framesRetention(Duration.ofSeconds(-1))
                                        .build())
                .hasMessageContaining("framesRetention must be a positive duration");
        assertThatThrownBy(() -> TopicSettings.builder().prefix("bad prefix/").build())
                .hasMessageContaining("topic prefix 'bad prefix/'");
    }

    @Test
    void shouldPairTopicNamesWithSerdes() {
        Topics topics = Topics.create("p.", new InMemorySchemaRegistry());

        assertThat(topics.frames().name()).isEqualTo("p.frames");
        assertThat(topics.tracks().name()).isEqualTo("p.tracks");
        assertThat(topics.pipelineStatus().name()).isEqualTo("p.pipeline-status");
        assertThat(topics.dlq().name()).isEqualTo("p.dlq");
        assertThat(topics.frames().valueSerde().serializer().serialize("p.frames", null)).isNull();
    }
}
