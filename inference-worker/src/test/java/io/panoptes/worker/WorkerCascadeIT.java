package io.panoptes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.panoptes.avro.CascadeSpec;
import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.schemas.SampleRecords;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelTask;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A two-stage cascade on the embedded broker: the bright-square detector, then the colour
 * classifier on a crop of each bright cell, in the frame's one result.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(300)
class WorkerCascadeIT {

    @Test
    void shouldClassifyACropOfEachDetectionIntoTheFramesOneResult(KafkaCluster kafka)
            throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 1)) {
            PipelineSpec spec = SampleRecords.pipelineSpec();
            spec.setPipelineId("inspect");
            spec.setModel("bright");
            spec.setCascade(
                    CascadeSpec.newBuilder()
                            .setModel("colour")
                            .setLabels(List.of("bright"))
                            .setMaxCrops(3)
                            .setPadding(0.5f)
                            .build());
            try (KafkaProducer<String, PipelineSpec> producer =
                    new KafkaProducer<>(
                            Map.of("bootstrap.servers", kafka.bootstrapServers()),
                            harness.topics.pipelines().keySerde().serializer(),
                            harness.topics.pipelines().valueSerde().serializer())) {
                producer.send(
                                new ProducerRecord<>(
                                        harness.topics.pipelines().name(), "inspect", spec))
                        .get();
                PipelineSpec broken = PipelineSpec.newBuilder(spec).setPipelineId("broken").build();
                broken.getCascade().setModel("nope");
                producer.send(
                                new ProducerRecord<>(
                                        harness.topics.pipelines().name(), "broken", broken))
                        .get();
            }
            WorkerService worker =
                    harness.worker(
                            b ->
                                    b.model(
                                            ModelConfig.of(
                                                            "colour",
                                                            TestData.file(
                                                                    TestData.CLS_COLOUR_YOLOV8),
                                                            ModelFamily.YOLOV8)
                                                    .withTask(ModelTask.CLASSIFY)
                                                    .withLabels(List.of("red", "green", "blue"))
                                                    .withThresholds(0f, 0.5f)));
            Thread.sleep(2000); // the worker has read the pipelines topic
            harness.send(frame(0, "inspect"));
            harness.send(frame(1, "broken"));

            await().atMost(WorkerHarness.WAIT).until(() -> worker.committed() >= 2);
            List<Detections> results = harness.results(2);
            Detections result =
                    results.stream().filter(r -> r.getSeq() == 0).findFirst().orElseThrow();
            Detections failed =
                    results.stream().filter(r -> r.getSeq() == 1).findFirst().orElseThrow();
            assertThat(failed.getStatus()).isEqualTo(DetectionStatus.FAILED);
            assertThat(failed.getError())
                    .isEqualTo(
                            "the cascade's model nope: unknown model 'nope': this worker knows"
                                    + " [blazeface, bright, bright-batched, colour]");
            assertThat(result.getStatus()).as(result.getError()).isEqualTo(DetectionStatus.OK);
            List<Detection> all = result.getDetections();
            List<Detection> second = all.stream().filter(d -> d.getParentIndex() != null).toList();
            assertThat(second).as("at most maxCrops of the 4 bright cells").hasSize(3);
            for (Detection crop : second) {
                Detection parent = all.get(crop.getParentIndex());
                assertThat(parent.getLabel()).isEqualTo("bright");
                assertThat(parent.getParentIndex()).isNull();
                assertThat(crop.getModelId()).isEqualTo("colour");
                // a white crop: a third each
                assertThat(crop.getConfidence()).isBetween(0.33f, 0.34f);
                // padded by half the 32 px box on each side
                assertThat(crop.getBox().getW()).isEqualTo(64f);
                assertThat(crop.getBox().getX()).isEqualTo(parent.getBox().getX() - 16);
            }
            assertThat(worker.failure()).isEmpty();
        }
    }

    private static Frame frame(long seq, String pipelineId) {
        return WorkerHarness.pngFrame(
                "inspect", seq, TestData.bytes(TestData.WHITE_SQUARE_PNG), pipelineId, null);
    }
}
