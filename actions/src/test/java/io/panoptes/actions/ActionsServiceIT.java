package io.panoptes.actions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.avro.Event;
import io.panoptes.avro.EventKind;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.KafkaRecords;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.topics.DeadLetters;
import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(180)
class ActionsServiceIT {

    private static final String SECRET =
            "whsec_" + java.util.Base64.getEncoder().encodeToString("a very secret key".getBytes());
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ActionSettings FAST =
            new ActionSettings(
                    "g",
                    3,
                    Duration.ofMillis(20),
                    Duration.ofMillis(100),
                    10,
                    Duration.ofSeconds(2));

    /** Opens after 3 failures, half-opens after 1 s. */
    private static final ActionSettings OPENS_AFTER_3 =
            new ActionSettings(
                    "g",
                    100,
                    Duration.ofMillis(10),
                    Duration.ofMillis(50),
                    3,
                    Duration.ofSeconds(1));

    private KafkaCluster kafka;
    private Topics topics;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void topics(KafkaCluster cluster) throws Exception {
        kafka = cluster;
        String prefix = kafka.uniqueName("actions") + ".";
        topics = Topics.create(prefix, new InMemorySchemaRegistry());
        try (Admin admin = kafka.admin()) {
            new TopicAdmin(admin, Duration.ofSeconds(30))
                    .ensure(
                            TopicSettings.builder()
                                    .prefix(prefix)
                                    .partitions(1)
                                    .controlPartitions(1)
                                    .build()
                                    .specs());
        }
        Thread.sleep(1000); // let the new partitions' leaders settle
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        closing.add(resource);
        return resource;
    }

    private ActionsService sinks(ActionSettings settings, Sink... sinks) {
        return sinks(kafka.uniqueName("sinks"), settings, sinks);
    }

    private ActionsService sinks(String group, ActionSettings settings, Sink... sinks) {
        return closeLater(
                RoleService.started(
                        new ActionsService(
                                settings.withGroup(group),
                                List.of(sinks),
                                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                                topics,
                                new SimpleMeterRegistry(),
                                Clock.systemUTC())));
    }

    /** A port nothing listens on (yet). */
    private static int freePort() throws java.io.IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    private static WebhookSink webhook(URI url) {
        return new WebhookSink(
                url, SECRET, Duration.ofMillis(500), Set.of(), true, Clock.systemUTC());
    }

    private void send(int count, int from) {
        try (KafkaProducer<String, Event> producer =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        topics.events().keySerde().serializer(),
                        topics.events().valueSerde().serializer())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topics.events().name(), "cam", event(i)));
            }
        }
    }

    private static Event event(int n) {
        return new Event(
                "event-" + n,
                "crowd",
                "cam",
                "p",
                Instant.parse("2026-11-27T10:00:00Z").plusSeconds(n),
                EventKind.COUNT_THRESHOLD,
                Map.of("value", String.valueOf(n)),
                List.of());
    }

    private List<ConsumerRecord<byte[], byte[]>> deadLetters(int count) {
        return KafkaRecords.read(
                kafka.bootstrapServers(),
                topics.dlq().name(),
                count,
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer(),
                WAIT);
    }

    @Test
    void shouldPostSignedJsonAndAppendJsonLines(@TempDir Path dir) throws Exception {
        Receiver receiver = closeLater(new Receiver());
        WebhookSink hook = webhook(receiver.url());
        Path lines = dir.resolve("events.jsonl");
        ActionsService service = sinks(FAST, hook, new FileSink(lines));
        send(3, 0);

        await().atMost(WAIT).until(() -> service.committed() == 3);
        assertThat(receiver.acknowledged()).containsExactly("event-0", "event-1", "event-2");
        for (Receiver.Request request : receiver.requests) {
            // the receiver's side of Standard Webhooks: recompute the signature from the secret
            assertThat(request.signature())
                    .isEqualTo(
                            "v1,"
                                    + hook.signature(
                                            request.id(), request.timestamp(), request.body()));
            assertThat(
                            Math.abs(
                                    Long.parseLong(request.timestamp())
                                            - Instant.now().getEpochSecond()))
                    .isLessThan(60);
        }
        JsonNode first = new ObjectMapper().readTree(receiver.requests.get(0).body());
        assertThat(first.path("type").asText()).isEqualTo("panoptes.event.count_threshold");
        assertThat(first.path("data").path("eventId").asText()).isEqualTo("event-0");
        assertThat(first.path("data").path("attributes").path("value").asText()).isEqualTo("0");
        assertThat(Files.readAllLines(lines))
                .hasSize(3)
                .allSatisfy(line -> assertThat(line).contains("\"ruleId\":\"crowd\""));
    }

    @Test
    void shouldRetryA500WithTheSameIdAndSendWhatStillFailsToTheDlq() throws Exception {
        Receiver receiver = closeLater(new Receiver());
        receiver.status =
                n ->
                        n <= 2
                                ? 500
                                : n <= 5
                                        ? 503
                                        : 200; // event-0: 500, 500, 503 (3 tries: DLQ); event-1:
        // 503, 503, 200
        ActionsService service = sinks(FAST, webhook(receiver.url()));
        send(2, 0);

        await().atMost(WAIT).until(() -> service.committed() == 2);
        assertThat(receiver.requests)
                .extracting(Receiver.Request::id)
                .containsExactly("event-0", "event-0", "event-0", "event-1", "event-1", "event-1");
        assertThat(receiver.acknowledged()).containsExactly("event-1");
        ConsumerRecord<byte[], byte[]> dead = deadLetters(1).get(0);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.STAGE)).isEqualTo("sink");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_MESSAGE))
                .contains(receiver.url() + " failed event event-0 after 3 tries: HTTP 503");
    }

    @Test
    void shouldStopSendingToADestinationThatIsGoneAndRejectOther4xx(@TempDir Path dir)
            throws Exception {
        Receiver gone = closeLater(new Receiver());
        gone.status = n -> 410;
        Receiver picky = closeLater(new Receiver());
        picky.status = n -> n == 1 ? 400 : 200;
        Path lines = dir.resolve("events.jsonl");
        ActionsService service =
                sinks(FAST, webhook(gone.url()), webhook(picky.url()), new FileSink(lines));
        send(3, 0);

        await().atMost(WAIT).until(() -> service.committed() == 3);
        assertThat(gone.requests).as("one 410, then nothing").hasSize(1);
        assertThat(picky.acknowledged()).containsExactly("event-1", "event-2");
        assertThat(Files.readAllLines(lines)).hasSize(3);
        assertThat(DeadLetters.header(deadLetters(1).get(0).headers(), DeadLetters.ERROR_MESSAGE))
                .contains("rejected event event-0: HTTP 400");
    }

    @Test
    void shouldPauseWhileAReceiverIsDownAndDeliverOnceItIsBack() throws Exception {
        int port = freePort();
        ActionSettings breaker = OPENS_AFTER_3;
        ActionsService service =
                sinks(breaker, webhook(URI.create("http://127.0.0.1:" + port + "/hook")));
        send(2, 0);

        await().atMost(WAIT).until(service::isPaused);
        assertThat(service.committed()).isZero();
        Receiver receiver = closeLater(new Receiver(port));

        await().atMost(WAIT).until(() -> service.committed() == 2);
        assertThat(receiver.acknowledged()).containsExactly("event-0", "event-1");
        assertThat(service.deadLettered()).as("nothing in the DLQ while it was down").isZero();
    }

    @Test
    void shouldLoseNoEventWhenTheGroupRebalancesWhileTheCircuitIsOpen() throws Exception {
        int port = freePort();
        ActionSettings breaker = OPENS_AFTER_3;
        URI hook = URI.create("http://127.0.0.1:" + port + "/hook");
        String group = kafka.uniqueName("sinks");
        ActionsService first = sinks(group, breaker, webhook(hook));
        send(1, 0);
        await().atMost(WAIT).until(first::isPaused);
        send(4, 1); // behind the event being tried

        ActionsService second = sinks(group, breaker, webhook(hook)); // a rebalance, and another
        Thread.sleep(4000);
        second.close();
        Thread.sleep(4000);
        Receiver receiver = closeLater(new Receiver(port));
        send(1, 5); // committed after the others: a skipped one would be lost for good

        await().atMost(WAIT)
                .untilAsserted(
                        () ->
                                assertThat(receiver.acknowledged())
                                        .containsAll(
                                                List.of(
                                                        "event-0", "event-1", "event-2", "event-3",
                                                        "event-4", "event-5")));
    }

    @Test
    void shouldTimeOutASlowReceiver() throws Exception {
        Receiver receiver = closeLater(new Receiver());
        receiver.delayMillis = 2000; // the sink waits 500 ms
        ActionsService service = sinks(FAST, webhook(receiver.url()));
        send(1, 0);

        await().atMost(WAIT).until(() -> service.committed() == 1);
        assertThat(receiver.requests).hasSize(3);
        assertThat(DeadLetters.header(deadLetters(1).get(0).headers(), DeadLetters.ERROR_MESSAGE))
                .contains("after 3 tries")
                .containsIgnoringCase("timed out");
    }

    @Test
    void shouldSendAnUnreadableEventToTheDlqAndDeliverTheNext() throws Exception {
        Receiver receiver = closeLater(new Receiver());
        ActionsService service = sinks(FAST, webhook(receiver.url()));
        try (KafkaProducer<byte[], byte[]> raw =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            raw.send(
                            new ProducerRecord<>(
                                    topics.events().name(),
                                    "cam".getBytes(),
                                    "not an event".getBytes()))
                    .get();
        }
        send(1, 0);

        await().atMost(WAIT).until(() -> service.committed() == 2);
        assertThat(receiver.acknowledged()).containsExactly("event-0");
        ConsumerRecord<byte[], byte[]> dead = deadLetters(1).get(0);
        assertThat(new String(dead.value())).isEqualTo("not an event");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_MESSAGE))
                .contains("not the magic byte");
    }

    @Test
    void shouldRedeliverOnlyWhatWasNotAcknowledgedAfterARestart() throws Exception {
        Receiver receiver = closeLater(new Receiver());
        receiver.status =
                n ->
                        n <= 2
                                ? 200
                                : 503; // event-0 and event-1 acknowledged, then the receiver fails
        String group = kafka.uniqueName("restart");
        ActionSettings patient =
                new ActionSettings(
                        "g",
                        100,
                        Duration.ofMillis(50),
                        Duration.ofMillis(50),
                        1000,
                        Duration.ofSeconds(1));
        ActionsService first = sinks(group, patient, webhook(receiver.url()));
        send(4, 0);
        await().atMost(WAIT)
                .until(() -> receiver.requests.size() >= 4); // event-2 failing, over and over
        first.close();

        receiver.status = n -> 200;
        ActionsService second = sinks(group, patient, webhook(receiver.url()));
        await().atMost(WAIT).until(() -> second.committed() == 2);

        List<String> acknowledged = receiver.acknowledged();
        assertThat(acknowledged).containsExactly("event-0", "event-1", "event-2", "event-3");
        Set<String> ids =
                new HashSet<>(receiver.requests.stream().map(Receiver.Request::id).toList());
        assertThat(ids)
                .as("every try of an event carries its id")
                .containsExactlyInAnyOrder("event-0", "event-1", "event-2", "event-3");
    }
}
