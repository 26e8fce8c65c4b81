package io.panoptes.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.LoopbackPorts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(120)
class TopicAdminIT {

    @Test
    void shouldCreateEveryTopicOnceAndThenFindThem(KafkaCluster kafka) throws Exception {
        String prefix = kafka.uniqueName("admin") + ".";
        TopicSettings settings =
                TopicSettings.builder().prefix(prefix).framesPartitions(3).partitions(2).build();
        try (Admin admin = kafka.admin()) {
            TopicAdmin topics = new TopicAdmin(admin, Duration.ofSeconds(30));

            List<TopicAdmin.Outcome> first = topics.ensure(settings.specs());
            List<TopicAdmin.Outcome> second = topics.ensure(settings.specs());

            assertThat(first)
                    .hasSize(TopicKind.values().length)
                    .allMatch(TopicAdmin.Outcome::created);
            assertThat(second)
                    .hasSize(TopicKind.values().length)
                    .noneMatch(TopicAdmin.Outcome::created);
            assertThat(second)
                    .filteredOn(o -> o.topic().equals(prefix + "frames"))
                    .singleElement()
                    .extracting(TopicAdmin.Outcome::partitions)
                    .isEqualTo(3);
            var config =
                    admin.describeConfigs(
                                    List.of(
                                            new ConfigResource(
                                                    ConfigResource.Type.TOPIC, prefix + "counts")))
                            .all()
                            .get()
                            .values()
                            .iterator()
                            .next();
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact,delete");
        }
    }

    @Test
    void shouldReportEveryIncompatibleExistingTopic(KafkaCluster kafka) throws Exception {
        String prefix = kafka.uniqueName("clash") + ".";
        try (Admin admin = kafka.admin()) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(prefix + "frames", 1, (short) 1),
                                    new NewTopic(prefix + "pipelines", 4, (short) 1)))
                    .all()
                    .get();
            TopicAdmin topics = new TopicAdmin(admin, Duration.ofSeconds(30));

            assertThatThrownBy(
                            () ->
                                    topics.ensure(
                                            TopicSettings.builder().prefix(prefix).build().specs()))
                    .isInstanceOfSatisfying(
                            TopicAdmin.IncompatibleTopicException.class,
                            e ->
                                    assertThat(e.problems())
                                            .anySatisfy(
                                                    p ->
                                                            assertThat(p)
                                                                    .contains(
                                                                            prefix
                                                                                    + "frames exists with 1 partition(s), fewer than the 6"))
                                            .anySatisfy(
                                                    p ->
                                                            assertThat(p)
                                                                    .contains(
                                                                            prefix
                                                                                    + "frames exists with max.message.bytes="))
                                            .anySatisfy(
                                                    p ->
                                                            assertThat(p)
                                                                    .contains(
                                                                            prefix
                                                                                    + "pipelines exists with cleanup.policy=delete, but compact is needed")));
        }
    }

    @Test
    void shouldSayWhenTheClusterIsUnreachable() throws Exception {
        int closedPort = LoopbackPorts.closed();
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                "127.0.0.1:" + closedPort,
                                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                3000,
                                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                                2000))) {
            TopicAdmin topics = new TopicAdmin(admin, Duration.ofSeconds(2));

            assertThatThrownBy(
                            () ->
                                    topics.ensure(
                                            List.of(
                                                    new TopicSpec(
                                                            "t", 1, Optional.empty(), Map.of()))))
                    .isInstanceOf(TopicAdmin.TopicAdminException.class)
                    .hasMessageContaining("did not answer within 2000 ms to list topics")
                    .hasMessageContaining("bootstrap.servers");
        }
    }
}
