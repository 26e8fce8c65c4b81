package io.panoptes.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.panoptes.avro.PipelineSpec;
import io.panoptes.kafka.embedded.EmbeddedKafkaBroker;
import io.panoptes.schemas.SampleRecords;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A view outlives a broker outage (M1 of the reliability review): its reads time out while the
 * broker is down, it says so in {@code waiting()}, and it reads on once the broker is back. Its own
 * broker, stopped and started again on the same port and log directory.
 */
@Timeout(180)
class CompactedViewOutageIT {

    @TempDir Path logDir;

    @Test
    void shouldReadOnAfterTheBrokerWasGoneLongerThanItsTimeouts() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Topics topics = Topics.create("outage.", new InMemorySchemaRegistry());
        EmbeddedKafkaBroker broker = start(port);
        String bootstrap = broker.bootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topics.pipelines().name(), 1, (short) 1)))
                    .all()
                    .get();
        }
        Map<String, Object> fastTimeouts =
                Map.of(
                        "bootstrap.servers", bootstrap,
                        "default.api.timeout.ms", 2000,
                        "request.timeout.ms", 1000,
                        "reconnect.backoff.max.ms", 500);
        try (CompactedView<PipelineSpec> view =
                new CompactedView<>(fastTimeouts, topics.pipelines(), "outage-test")) {
            write(bootstrap, topics, "before");
            view.catchUp(Duration.ofSeconds(30));
            assertThat(view.get("before")).isPresent();

            broker.close();
            assertThatThrownBy(() -> view.catchUp(Duration.ofSeconds(4)))
                    .isInstanceOf(java.util.concurrent.TimeoutException.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> view.waiting() != null);
            assertThat(view.waiting()).contains("cannot read outage.pipelines");
            assertThat(view.get("before")).as("the values it had are kept").isPresent();

            broker = start(port);
            write(bootstrap, topics, "after");
            view.catchUp(Duration.ofSeconds(60));
            assertThat(view.get("after")).isPresent();
            assertThat(view.waiting()).isNull();
        } finally {
            broker.close();
        }
    }

    private EmbeddedKafkaBroker start(int port) {
        return EmbeddedKafkaBroker.builder().port(port).logDir(logDir).start();
    }

    private static void write(String bootstrap, Topics topics, String id) throws Exception {
        PipelineSpec spec = SampleRecords.pipelineSpec();
        spec.setPipelineId(id);
        try (KafkaProducer<String, PipelineSpec> producer =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", bootstrap),
                        topics.pipelines().keySerde().serializer(),
                        topics.pipelines().valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topics.pipelines().name(), id, spec)).get();
        }
    }
}
