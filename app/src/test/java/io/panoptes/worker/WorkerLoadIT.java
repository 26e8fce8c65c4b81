package io.panoptes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.ingest.IngestService;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.LiveServer;
import io.panoptes.testkit.LoopbackPorts;
import io.panoptes.testkit.TestVideos;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaClusterExtension.class)
@Timeout(300)
class WorkerLoadIT {

    @Test
    void shouldSkipStaleLiveFramesAndKeepTheAgeOfTheRestBounded(KafkaCluster kafka)
            throws Exception {
        Duration staleness = Duration.ofMillis(500);
        try (WorkerHarness harness = new WorkerHarness(kafka, 1);
                LiveServer camera =
                        LiveServer.mjpeg(TestVideos.megamind(), LoopbackPorts.closed()).start();
                IngestService ingest = IngestedFrames.service(harness)) {
            ingest.add(SourceSpec.builder(camera.url()).streamId("live").build());
            // the worker starts late: a backlog of live frames builds up first
            await().atMost(WorkerHarness.WAIT)
                    .until(() -> ingest.streams().get("live").acknowledged() >= 60);
            WorkerService worker =
                    harness.worker(b -> b.defaultModel("blazeface").maxStaleness(staleness));

            await().atMost(WorkerHarness.WAIT).until(() -> worker.count(DetectionStatus.OK) >= 100);
            ingest.stop("live", Duration.ofSeconds(10));

            assertThat(worker.count(DetectionStatus.SKIPPED_STALE)).isGreaterThanOrEqualTo(30);
            List<Detections> skipped =
                    harness.allResults(Duration.ofSeconds(2)).stream()
                            .filter(r -> r.getStatus() == DetectionStatus.SKIPPED_STALE)
                            .toList();
            assertThat(skipped)
                    .isNotEmpty()
                    .allSatisfy(r -> assertThat(r.getError()).contains("under the LATEST policy"));
            assertThat(worker.p95FrameAge()).isLessThanOrEqualTo(staleness.plusSeconds(1));
        }
    }

    @Test
    void shouldKeepInFlightFramesAndHeapBoundedUnderABacklog(KafkaCluster kafka) throws Exception {
        int capacity = 8;
        try (WorkerHarness harness = new WorkerHarness(kafka, 2)) {
            WorkerService warm =
                    harness.worker(b -> b.defaultModel("blazeface").queueCapacity(capacity));
            IngestedFrames.ingest(
                    harness,
                    SourceSpec.builder(TestVideos.megamind().toString()).streamId("warm").build());
            await().atMost(WorkerHarness.WAIT).until(() -> warm.committed() >= 271);
            long idleHeap = heapAfterGc();
            warm.close();

            // 10x backlog: far more frames waiting than the worker may hold
            IngestedFrames.ingest(
                    harness,
                    SourceSpec.builder(TestVideos.megamind().toString()).streamId("b1").build(),
                    SourceSpec.builder(TestVideos.megamind().toString()).streamId("b2").build(),
                    SourceSpec.builder(TestVideos.megamind().toString()).streamId("b3").build());
            WorkerService worker =
                    harness.worker(b -> b.defaultModel("blazeface").queueCapacity(capacity));
            AtomicInteger maxInFlight = new AtomicInteger();
            long maxHeap = 0;
            while (worker.committed() < 3 * 271) {
                maxInFlight.accumulateAndGet(worker.inFlight(), Math::max);
                if (worker.committed() % 100 < 5) {
                    maxHeap = Math.max(maxHeap, heapAfterGc());
                }
                Thread.sleep(5);
            }
            maxHeap = Math.max(maxHeap, heapAfterGc());

            assertThat(maxInFlight.get()).isLessThanOrEqualTo(capacity);
            assertThat((double) maxHeap)
                    .as("heap after GC %d vs idle %d", maxHeap, idleHeap)
                    .isLessThanOrEqualTo(1.5 * idleHeap);
        }
    }

    @Test
    void shouldCountFramesDeletedBeforeTheyWereReadAndContinue(KafkaCluster kafka)
            throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 1)) {
            IngestedFrames.ingest(
                    harness,
                    SourceSpec.builder(TestVideos.megamind().toString()).streamId("first").build());
            WorkerService worker = harness.worker(b -> b.defaultModel("blazeface"));
            await().atMost(WorkerHarness.WAIT).until(() -> worker.committed() >= 271);
            worker.close();

            IngestedFrames.ingest(
                    harness,
                    SourceSpec.builder(TestVideos.megamind().toString())
                            .streamId("second")
                            .build());
            TopicPartition partition = new TopicPartition(harness.topics.frames().name(), 0);
            try (Admin admin =
                    kafka.admin()) { // retention deletes the first 100 frames of the second run
                admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(271 + 100)))
                        .all()
                        .get();
            }
            WorkerService restarted = harness.worker(b -> b.defaultModel("blazeface"));

            await().atMost(WorkerHarness.WAIT).until(() -> restarted.committed() >= 171);
            assertThat(restarted.lostFrames()).isEqualTo(100);
            assertThat(restarted.isRunning()).isTrue();
        }
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
