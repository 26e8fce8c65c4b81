package io.panoptes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.panoptes.avro.Detections;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.TestData;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Incremental (cooperative) rebalancing, the workers' default: a worker that leaves mid-stream
 * hands its partitions to one that is paused on a full queue; those arrive unpaused and must be
 * paused too (review M2), and every frame still gets exactly one result.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(300)
class WorkerRebalanceIT {

    private static final int FRAMES_PER_STREAM = 200; // some seconds of work for two workers
    private static final int QUEUE = 8;

    @Test
    void shouldKeepTheInFlightBoundAndOneResultPerFrameWhenPartitionsMoveIncrementally(
            KafkaCluster kafka) throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 4)) {
            byte[] png = TestData.bytes(TestData.WHITE_SQUARE_PNG);
            // one stream per partition, so that each worker has two streams' work
            List<String> streams = io.panoptes.testkit.PartitionKeys.onePerPartition("s", 4);
            List<io.panoptes.avro.Frame> frames = new java.util.ArrayList<>();
            for (int seq = 0; seq < FRAMES_PER_STREAM; seq++) {
                for (String stream : streams) {
                    frames.add(WorkerHarness.pngFrame(stream, seq, png, null, "bright"));
                }
            }
            WorkerService staying =
                    harness.worker(b -> b.defaultModel("blazeface").queueCapacity(QUEUE));
            WorkerService leaving =
                    harness.worker(b -> b.defaultModel("blazeface").queueCapacity(QUEUE));
            // both own partitions before any frame exists, so that both have work
            await().atMost(WorkerHarness.WAIT)
                    .until(
                            () ->
                                    staying.assignedPartitions() == 2
                                            && leaving.assignedPartitions() == 2);
            harness.sendAll(frames);
            AtomicInteger most = new AtomicInteger();
            Thread sampler =
                    new Thread(
                            () -> {
                                while (!Thread.currentThread().isInterrupted()) {
                                    most.accumulateAndGet(staying.inFlight(), Math::max);
                                    Thread.onSpinWait();
                                }
                            });
            sampler.setDaemon(true);
            sampler.start();
            await().atMost(WorkerHarness.WAIT)
                    .until(() -> leaving.committed() >= 5 && staying.committed() >= 5);
            leaving.close(); // its partitions go to the other, paused on its full queue

            int total = 4 * FRAMES_PER_STREAM;
            await().atMost(WorkerHarness.WAIT)
                    .until(() -> staying.committed() + leaving.committed() >= total);
            sampler.interrupt();
            List<Detections> all = harness.allResults(Duration.ofSeconds(3));
            Set<String> answered = new HashSet<>();
            all.forEach(r -> answered.add(r.getStreamId() + "/" + r.getSeq()));
            assertThat(answered).hasSize(total);
            assertThat(all).as("none twice").hasSize(total);
            assertThat(most.get()).as("frames in flight at most").isLessThanOrEqualTo(QUEUE);
            assertThat(staying.failure()).isEmpty();
        }
    }
}
