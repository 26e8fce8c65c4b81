package io.panoptes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.panoptes.avro.Detection;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.TestVideos;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(300)
/**
 * The worker on frames the real ingest published from real video: the roles meet through the frames
 * topic.
 */
class WorkerWithIngestIT {

    @Test
    void shouldProduceExactlyOneResultPerFrameAndFindMegamindsFaces(KafkaCluster kafka)
            throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 2)) {
            IngestedFrames.ingest(
                    harness,
                    SourceSpec.builder(TestVideos.megamind().toString()).streamId("mm").build());
            WorkerService worker = harness.worker(b -> b.defaultModel("blazeface"));

            await().atMost(WorkerHarness.WAIT).until(() -> worker.committed() >= 271);
            List<Detections> results = harness.results(271);

            Map<Long, Detections> bySeq =
                    results.stream()
                            .collect(Collectors.toMap(Detections::getSeq, Function.identity()));
            assertThat(bySeq).hasSize(271); // no duplicates, none missing
            assertThat(bySeq.keySet())
                    .containsAll(java.util.stream.LongStream.range(0, 271).boxed().toList());
            assertThat(bySeq.get(270L).getStatus()).isEqualTo(DetectionStatus.END_OF_STREAM);
            List<Detections> pictures = results.stream().filter(r -> r.getSeq() < 270).toList();
            assertThat(pictures)
                    .allSatisfy(
                            r -> {
                                assertThat(r.getStatus())
                                        .as("FILE frames are never skipped")
                                        .isEqualTo(DetectionStatus.OK);
                                assertThat(r.getModel().getId()).isEqualTo("blazeface");
                                assertThat(r.getModel().getVersion()).startsWith("sha256:");
                            });
            long withFace = pictures.stream().filter(r -> !r.getDetections().isEmpty()).count();
            assertThat(withFace)
                    .as("frames with a face")
                    .isGreaterThanOrEqualTo(Math.round(270 * 0.95) - 1);
            assertThat(bySeq.get(0L).getDetections()).as("frame 0 is black").isEmpty();
            Detection face = bySeq.get(30L).getDetections().get(0);
            double cx = face.getBox().getX() + face.getBox().getW() / 2.0;
            double cy = face.getBox().getY() + face.getBox().getH() / 2.0;
            assertThat(Math.hypot(cx - 293, cy - 272))
                    .as("frame 30 face centre (%s, %s)", cx, cy)
                    .isLessThan(10);
            assertThat(worker.count(DetectionStatus.SKIPPED_STALE)).isZero();
        }
    }

    @Test
    void shouldDeliverEveryResultInTheAtLeastOnceMode(KafkaCluster kafka) throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 2)) {
            IngestedFrames.ingest(
                    harness,
                    SourceSpec.builder(TestVideos.megamind().toString()).streamId("alo").build());
            WorkerService worker =
                    harness.worker(b -> b.defaultModel("blazeface").exactlyOnce(false));

            await().atMost(WorkerHarness.WAIT).until(() -> worker.committed() >= 271);
            Set<Long> seqs =
                    harness.allResults(java.time.Duration.ofSeconds(3)).stream()
                            .map(Detections::getSeq)
                            .collect(Collectors.toSet());
            assertThat(seqs).hasSize(271);
        }
    }

    @Test
    void shouldLoseAndDuplicateNothingWhenOneOfTwoWorkersDies(KafkaCluster kafka) throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 4)) {
            WorkerService first = harness.worker(b -> b.defaultModel("blazeface"));
            WorkerService second = harness.worker(b -> b.defaultModel("blazeface"));
            await().atMost(WorkerHarness.WAIT)
                    .until(
                            () ->
                                    first.assignedPartitions() == 2
                                            && second.assignedPartitions() == 2);
            int total = 4 * 271;
            long killedAt;
            try (io.panoptes.ingest.IngestService ingest = IngestedFrames.service(harness)) {
                for (String stream : List.of("a", "b", "c", "d")) {
                    ingest.add(
                            SourceSpec.builder(TestVideos.megamind().toString())
                                    .streamId(stream)
                                    .maxFps(200.0)
                                    .build());
                }
                await().atMost(WorkerHarness.WAIT)
                        .until(() -> first.committed() > 50 && second.committed() > 50);

                first.kill(); // mid-stream, no commit, no goodbye: its uncommitted work is
                // redone by the survivor
                killedAt = System.nanoTime();
                assertThat(ingest.awaitEnded(WorkerHarness.WAIT)).isTrue();
            }
            await().atMost(WorkerHarness.WAIT)
                    .until(() -> first.committed() + second.committed() >= total);
            java.time.Duration untilComplete =
                    java.time.Duration.ofNanos(System.nanoTime() - killedAt);

            List<Detections> results = harness.allResults(java.time.Duration.ofSeconds(5));
            Set<String> keys =
                    results.stream()
                            .map(r -> r.getStreamId() + "/" + r.getEpoch() + "/" + r.getSeq())
                            .collect(Collectors.toSet());
            assertThat(keys).hasSize(total);
            assertThat(results).hasSize(total);
            // the bound: the 10 s transaction timeout + 15 s
            assertThat(untilComplete).isLessThan(java.time.Duration.ofSeconds(10 + 15));
        }
    }
}
