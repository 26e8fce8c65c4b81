package io.panoptes.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.avro.DesiredState;
import io.panoptes.avro.Frame;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.PipelineState;
import io.panoptes.avro.PipelineStatus;
import io.panoptes.ingest.IngestService;
import io.panoptes.ingest.IngestSettings;
import io.panoptes.pipeline.source.SourcePolicy;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.KafkaRecords;
import io.panoptes.schemas.topics.CompactedView;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.PartitionKeys;
import io.panoptes.testkit.TestTopics;
import io.panoptes.testkit.TestVideos;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pipelines as data on a real broker: specs written to the pipelines topic start, change, pause,
 * end and move sources.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(240)
class PipelineControllerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final KafkaCluster kafka;
    private final List<AutoCloseable> open = new ArrayList<>();
    private Topics topics;
    private String group;
    private KafkaProducer<String, PipelineSpec> specs;
    private CompactedView<PipelineStatus> statuses;

    PipelineControllerIT(KafkaCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeEach
    void topics() throws Exception {
        topics =
                TestTopics.create(
                        kafka,
                        "pipelines",
                        b -> b.framesPartitions(4).partitions(1).controlPartitions(4));
        group = kafka.uniqueName("ingest");
        specs =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new StringSerializer(),
                        topics.pipelines().valueSerde().serializer());
        statuses = new CompactedView<>(config(), topics.pipelineStatus(), "test-statuses");
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        statuses.close();
        specs.close();
    }

    @Test
    void shouldStartPauseResumeTerminateAndAddPipelinesWhileOthersRun() throws Exception {
        Instance ingest = instance("ingest-1");
        write(spec("door", 1, TestVideos.megamind().toString(), DesiredState.RUNNING));
        PipelineStatus door = awaitState("door", 1, PipelineState.RUNNING);
        assertThat(door.getOwner()).isEqualTo("ingest-1");
        await().atMost(WAIT)
                .until(
                        () ->
                                statuses.get("door")
                                        .filter(s -> s.getFps() > 0 && s.getLastFrameTime() != null)
                                        .isPresent());
        assertThat(statuses.get("door").orElseThrow().getFps())
                .as("published at about its max fps of 10")
                .isBetween(2.0, 15.0);

        write(
                spec(
                        "yard",
                        1,
                        TestVideos.vtest().toString(),
                        DesiredState.RUNNING)); // added while door runs
        awaitState("yard", 1, PipelineState.RUNNING);
        assertThat(ingest.service.isRunning("door")).isTrue();
        assertThat(frames().stream().map(Frame::getPipelineId).collect(Collectors.toSet()))
                .contains("door", "yard");

        write(spec("door", 2, TestVideos.megamind().toString(), DesiredState.PAUSED));
        awaitState("door", 2, PipelineState.PAUSED);
        assertThat(ingest.service.isRunning("door"))
                .as("a paused pipeline releases its source")
                .isFalse();
        Set<Long> epochsBefore = epochs("door");

        write(spec("door", 3, TestVideos.megamind().toString(), DesiredState.RUNNING));
        awaitState("door", 3, PipelineState.RUNNING);
        await().atMost(WAIT)
                .until(() -> epochs("door").size() > epochsBefore.size()); // resumed: a new epoch

        write(spec("door", 4, TestVideos.megamind().toString(), DesiredState.TERMINATED));
        write(spec("yard", 2, TestVideos.vtest().toString(), DesiredState.TERMINATED));
        assertThat(awaitState("door", 4, PipelineState.ENDED).getReason()).isEqualTo("terminated");
        awaitState("yard", 2, PipelineState.ENDED);
        assertThat(ingest.service.streams())
                .as("terminated pipelines leave nothing behind")
                .isEmpty();
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .doesNotContain("ingest-door", "ingest-yard");
    }

    @Test
    void shouldFailInvalidSpecsAloneAndSkipUnreadableRecords() throws Exception {
        Instance ingest = instance("ingest-1");
        try (KafkaProducer<String, byte[]> raw =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new StringSerializer(),
                        new ByteArraySerializer())) {
            raw.send(
                            new ProducerRecord<>(
                                    topics.pipelines().name(),
                                    "garbage",
                                    "not avro at all".getBytes()))
                    .get();
        }
        write(spec("secrets", 1, "/etc/passwd", DesiredState.RUNNING));
        write(spec("probe", 1, "rtsp://127.0.0.1:1/stream", DesiredState.RUNNING));
        write(spec("fine", 1, TestVideos.vtest().toString(), DesiredState.RUNNING));

        assertThat(awaitState("secrets", 1, PipelineState.FAILED).getReason())
                .contains("pipeline secrets", "/etc/passwd", "outside the allowed source folders");
        assertThat(awaitState("probe", 1, PipelineState.FAILED).getReason())
                .contains("127.0.0.1", "private networks are not allowed");
        awaitState("fine", 1, PipelineState.RUNNING);
        assertThat(statuses.get("garbage")).isEmpty();

        specs.send(new ProducerRecord<>(topics.pipelines().name(), "secrets", null))
                .get(); // deleted: its status goes too
        await().atMost(WAIT).until(() -> statuses.get("secrets").isEmpty());
        assertThat(ingest.controller.isAlive()).isTrue();
    }

    @Test
    void shouldMovePipelinesToTheOtherInstanceWhenOneStops() throws Exception {
        Instance first = instance("ingest-1");
        Instance second = instance("ingest-2");
        List<String> ids = PartitionKeys.onePerPartition("cam-", 4);
        for (String id : ids) {
            write(
                    spec(id, 1, TestVideos.megamind().toString(), DesiredState.RUNNING)
                            .setMaxFps(5.0)
                            .build());
        }
        ids.forEach(id -> awaitState(id, 1, PipelineState.RUNNING));
        await("the group shares the pipelines between both instances")
                .atMost(WAIT)
                .until(
                        () ->
                                !first.controller.owned().isEmpty()
                                        && !second.controller.owned().isEmpty()
                                        && first.controller.owned().size()
                                                        + second.controller.owned().size()
                                                == 4);
        ids.forEach(
                id ->
                        await().atMost(WAIT)
                                .until(
                                        () ->
                                                statuses.get(id)
                                                        .filter(
                                                                s ->
                                                                        s.getState()
                                                                                        == PipelineState
                                                                                                .RUNNING
                                                                                && (first.controller
                                                                                                        .owned()
                                                                                                        .contains(
                                                                                                                id)
                                                                                                ? first.id
                                                                                                : second.id)
                                                                                        .equals(
                                                                                                s
                                                                                                        .getOwner()))
                                                        .isPresent()));
        Instance leaving = first;
        Instance staying = leaving == first ? second : first;
        List<String> moving = leaving.controller.owned();

        leaving.close();

        await().atMost(WAIT).until(() -> staying.controller.owned().size() == 4);
        for (String id : moving) {
            await().atMost(WAIT)
                    .until(
                            () ->
                                    statuses.get(id)
                                            .filter(
                                                    s ->
                                                            s.getOwner().equals(staying.id)
                                                                    && s.getState()
                                                                            == PipelineState
                                                                                    .RUNNING)
                                            .isPresent());
        }
        assertThat(ids).allMatch(staying.service::isRunning);
    }

    @Test
    void shouldNotRunAFileThatEndedAgainWhenItMoves() throws Exception {
        Instance first = instance("ingest-1");
        write(
                spec("short", 1, TestVideos.megamind().toString(), DesiredState.RUNNING)
                        .setMaxFps(null)
                        .build());
        awaitState("short", 1, PipelineState.ENDED);
        Instance second = instance("ingest-2");

        first.close(); // its partitions, with the ended pipeline, go to the second instance

        await().atMost(WAIT).until(() -> second.controller.owned().contains("short"));
        await().atMost(WAIT)
                .until(
                        () ->
                                statuses.get("short")
                                        .filter(s -> s.getOwner().equals("ingest-2"))
                                        .isPresent());
        assertThat(statuses.get("short").orElseThrow().getState()).isEqualTo(PipelineState.ENDED);
        assertThat(second.service.streams()).as("nothing started").isEmpty();
        assertThat(epochs("short")).hasSize(1);
    }

    @Test
    void shouldReportFramesKafkaRefusedInTheStatus() throws Exception {
        try (Admin admin =
                kafka.admin()) { // frames larger than the topic takes: the broker refuses every one
            admin.incrementalAlterConfigs(
                            Map.of(
                                    new org.apache.kafka.common.config.ConfigResource(
                                            org.apache.kafka.common.config.ConfigResource.Type
                                                    .TOPIC,
                                            topics.frames().name()),
                                    List.of(
                                            new org.apache.kafka.clients.admin.AlterConfigOp(
                                                    new org.apache.kafka.clients.admin.ConfigEntry(
                                                            "max.message.bytes", "2000"),
                                                    org.apache.kafka.clients.admin.AlterConfigOp
                                                            .OpType.SET))))
                    .all()
                    .get();
        }
        instance("ingest-1");
        write(spec("big", 1, TestVideos.vtest().toString(), DesiredState.RUNNING));

        await().atMost(WAIT)
                .until(
                        () ->
                                statuses.get("big")
                                        .map(PipelineStatus::getReason)
                                        .filter(
                                                r ->
                                                        r.contains("not acknowledged by Kafka")
                                                                && r.contains("RecordTooLarge"))
                                        .isPresent());
    }

    private final class Instance implements AutoCloseable {
        final String id;
        final IngestService service;
        final PipelineController controller;

        Instance(String id) {
            this.id = id;
            this.service =
                    RoleService.started(
                            new IngestService(
                                    IngestSettings.builder()
                                            .workerGroup(kafka.uniqueName("workers"))
                                            .lagInterval(Duration.ofMillis(500))
                                            .fileLagBound(0)
                                            .build(),
                                    config(),
                                    topics,
                                    new SimpleMeterRegistry()));
            ControlSettings settings =
                    ControlSettings.defaults(
                                    new SourcePolicy(
                                            List.of(TestVideos.megamind().getParent()), false))
                            .withGroup(group)
                            .withInstanceId(id)
                            .withStatusInterval(Duration.ofMillis(500));
            this.controller =
                    RoleService.started(
                            new PipelineController(
                                    service,
                                    settings,
                                    config(),
                                    topics,
                                    new SimpleMeterRegistry()));
        }

        @Override
        public void close() {
            controller.close();
            service.close();
        }
    }

    private Instance instance(String id) {
        Instance instance = new Instance(id);
        open.add(instance);
        return instance;
    }

    private Map<String, Object> config() {
        return Map.of("bootstrap.servers", kafka.bootstrapServers(), "session.timeout.ms", 10_000);
    }

    private static PipelineSpec.Builder spec(
            String id, long version, String source, DesiredState desired) {
        return PipelineSpec.newBuilder()
                .setPipelineId(id)
                .setVersion(version)
                .setSource(source)
                .setMaxFps(10.0)
                .setDesiredState(desired)
                .setUpdated(Instant.now());
    }

    private void write(PipelineSpec.Builder spec) throws Exception {
        write(spec.build());
    }

    private void write(PipelineSpec spec) throws Exception {
        specs.send(new ProducerRecord<>(topics.pipelines().name(), spec.getPipelineId(), spec))
                .get();
    }

    private PipelineStatus awaitState(String id, long version, PipelineState state) {
        await().atMost(WAIT)
                .until(
                        () ->
                                statuses.get(id)
                                        .filter(
                                                s ->
                                                        s.getSpecVersion() == version
                                                                && s.getState() == state)
                                        .isPresent());
        return statuses.get(id).orElseThrow();
    }

    private List<Frame> frames() {
        return KafkaRecords.readAll(
                        kafka.bootstrapServers(),
                        topics.frames().name(),
                        topics.frames().keySerde().deserializer(),
                        topics.frames().valueSerde().deserializer())
                .stream()
                .map(ConsumerRecord::value)
                .toList();
    }

    private Set<Long> epochs(String id) {
        return frames().stream()
                .filter(f -> f.getStreamId().equals(id))
                .map(Frame::getEpoch)
                .collect(Collectors.toSet());
    }
}
