package io.panoptes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.panoptes.avro.Detections;
import io.panoptes.schemas.registry.SchemaRegistry;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(300)
class WorkerIT {

    @Test
    void shouldTakeTheModelFromTheFrameElseItsPipelineElseTheDefault(KafkaCluster kafka)
            throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 1)) {
            io.panoptes.avro.PipelineSpec spec = io.panoptes.schemas.SampleRecords.pipelineSpec();
            spec.setPipelineId("squares");
            spec.setModel("bright");
            // an unreadable spec first: skipped with a log line, the next one still counts
            try (var raw =
                    new org.apache.kafka.clients.producer.KafkaProducer<>(
                            Map.of("bootstrap.servers", kafka.bootstrapServers()),
                            new org.apache.kafka.common.serialization.StringSerializer(),
                            new org.apache.kafka.common.serialization.StringSerializer())) {
                raw.send(
                                new org.apache.kafka.clients.producer.ProducerRecord<>(
                                        harness.topics.pipelines().name(),
                                        "squares",
                                        "not a pipeline spec"))
                        .get();
            }
            harness.putPipeline(spec);
            byte[] png =
                    io.panoptes.testkit.TestData.bytes(
                            io.panoptes.testkit.TestData.WHITE_SQUARE_PNG);
            WorkerService worker = harness.worker(b -> b.defaultModel("blazeface"));
            Thread.sleep(2000); // the worker has read the pipelines topic
            harness.send(frame(0, png, "squares", null));
            harness.send(frame(1, png, null, null));
            harness.send(frame(2, png, "squares", "blazeface"));

            await().atMost(WorkerHarness.WAIT).until(() -> worker.committed() >= 3);
            Map<Long, Detections> bySeq =
                    harness.results(3).stream()
                            .collect(Collectors.toMap(Detections::getSeq, Function.identity()));
            assertThat(bySeq.get(0L).getModel().getId()).isEqualTo("bright");
            assertThat(bySeq.get(0L).getDetections())
                    .filteredOn(d -> d.getLabel().equals("bright"))
                    .hasSize(4);
            assertThat(bySeq.get(1L).getModel().getId()).isEqualTo("blazeface");
            assertThat(bySeq.get(2L).getModel().getId()).isEqualTo("blazeface");
            assertThat(bySeq.get(0L).getPipelineId()).isEqualTo("squares");
        }
    }

    @Test
    void shouldJudgeABacklogByItsPipelinesPolicyFromTheFirstFrame(KafkaCluster kafka)
            throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 1)) {
            io.panoptes.avro.PipelineSpec spec = io.panoptes.schemas.SampleRecords.pipelineSpec();
            spec.setPipelineId("keep-all");
            spec.setPolicy(io.panoptes.avro.FramePolicy.ALL);
            harness.putPipeline(spec);
            byte[] png =
                    io.panoptes.testkit.TestData.bytes(
                            io.panoptes.testkit.TestData.WHITE_SQUARE_PNG);
            for (long seq = 0; seq < 5; seq++) { // a LIVE backlog, 5 s old: stale under LATEST
                io.panoptes.avro.Frame old = frame(seq, png, "keep-all", "bright");
                old.setSourceKind(io.panoptes.avro.SourceKind.LIVE);
                old.setCaptureTime(java.time.Instant.now().minusSeconds(5));
                harness.send(old);
            }
            WorkerService worker = harness.worker(b -> b.defaultModel("blazeface"));

            await().atMost(WorkerHarness.WAIT).until(() -> worker.committed() >= 5);
            assertThat(harness.results(5))
                    .as("the pipeline says ALL: none skipped, even before the view was warm")
                    .allSatisfy(
                            r ->
                                    assertThat(r.getStatus())
                                            .isEqualTo(io.panoptes.avro.DetectionStatus.OK));
            assertThat(worker.health().up()).isTrue();
        }
    }

    @Test
    void shouldNotCommitTheOffsetOfAFrameWhoseResultFailedToSendAtLeastOnce(KafkaCluster kafka)
            throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 1);
                org.apache.kafka.clients.admin.Admin admin =
                        org.apache.kafka.clients.admin.Admin.create(
                                Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            setMaxMessageBytes(admin, harness.topics.detections().name(), "64"); // results refused
            byte[] png =
                    io.panoptes.testkit.TestData.bytes(
                            io.panoptes.testkit.TestData.WHITE_SQUARE_PNG);
            for (long seq = 0; seq < 3; seq++) {
                harness.send(frame(seq, png, null, "bright"));
            }
            WorkerService worker =
                    harness.worker(b -> b.defaultModel("blazeface").exactlyOnce(false));
            await().atMost(WorkerHarness.WAIT)
                    .until(() -> worker.health().detail().contains("commits failed in a row"));
            assertThat(worker.health().detail()).contains("RecordTooLargeException");
            assertThat(
                            admin.listConsumerGroupOffsets(harness.group)
                                    .partitionsToOffsetAndMetadata()
                                    .get())
                    .as("no offset committed without its result")
                    .isEmpty();

            setMaxMessageBytes(admin, harness.topics.detections().name(), "1048588");
            assertThat(harness.results(3)).extracting(Detections::getSeq).contains(0L, 1L, 2L);
            await().atMost(WorkerHarness.WAIT).until(() -> worker.health().up());
        }
    }

    @Test
    void shouldRetryFramesWhileTheRegistryIsUnavailableRatherThanDeadLetterThem(KafkaCluster kafka)
            throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 1)) {
            byte[] png =
                    io.panoptes.testkit.TestData.bytes(
                            io.panoptes.testkit.TestData.WHITE_SQUARE_PNG);
            for (long seq = 0; seq < 3; seq++) {
                harness.send(frame(seq, png, null, "bright"));
            }
            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            SchemaRegistry real = harness.topics.registry();
            SchemaRegistry flaky =
                    (SchemaRegistry)
                            java.lang.reflect.Proxy.newProxyInstance(
                                    SchemaRegistry.class.getClassLoader(),
                                    new Class<?>[] {SchemaRegistry.class},
                                    (proxy, method, args) -> {
                                        if (method.getName().equals("schemaById")
                                                && System.nanoTime() < until) {
                                            throw new io.panoptes.schemas.registry
                                                    .SchemaRegistryUnavailableException(
                                                    "503 from the registry (a test)", null);
                                        }
                                        try {
                                            return method.invoke(real, args);
                                        } catch (java.lang.reflect.InvocationTargetException e) {
                                            throw e.getCause();
                                        }
                                    });
            WorkerService worker =
                    harness.worker(
                            b -> b.defaultModel("blazeface"),
                            io.panoptes.schemas.topics.Topics.create(
                                    harness.topics.prefix(), flaky));

            await().atMost(WorkerHarness.WAIT).until(() -> worker.committed() >= 3);
            assertThat(harness.results(3))
                    .allSatisfy(
                            r ->
                                    assertThat(r.getStatus())
                                            .isEqualTo(io.panoptes.avro.DetectionStatus.OK));
            assertThat(harness.allResults(Duration.ofSeconds(2))).hasSize(3);
            assertThat(worker.count(io.panoptes.avro.DetectionStatus.FAILED)).isZero();
            assertThat(
                            io.panoptes.schemas.KafkaRecords.readAll(
                                    kafka.bootstrapServers(),
                                    harness.topics.dlq().name(),
                                    new org.apache.kafka.common.serialization
                                            .ByteArrayDeserializer(),
                                    new org.apache.kafka.common.serialization
                                            .ByteArrayDeserializer()))
                    .as("nothing dead-lettered")
                    .isEmpty();
        }
    }

    private static void setMaxMessageBytes(
            org.apache.kafka.clients.admin.Admin admin, String topic, String bytes)
            throws Exception {
        var resource =
                new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(
                        Map.of(
                                resource,
                                List.of(
                                        new org.apache.kafka.clients.admin.AlterConfigOp(
                                                new org.apache.kafka.clients.admin.ConfigEntry(
                                                        "max.message.bytes", bytes),
                                                org.apache.kafka.clients.admin.AlterConfigOp.OpType
                                                        .SET))))
                .all()
                .get();
    }

    private static io.panoptes.avro.Frame frame(
            long seq, byte[] png, String pipelineId, String modelId) {
        return WorkerHarness.pngFrame("models", seq, png, pipelineId, modelId);
    }
}
