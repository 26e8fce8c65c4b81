package io.panoptes.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Frames of several streams run in shared batches, and each gets the result it gets alone. */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(300)
class WorkerBatchingIT {

    private static final int STREAMS = 4;
    private static final int FRAMES = 40;

    @Test
    void shouldGiveEveryFrameTheSameResultWithAndWithoutBatchingAcrossStreams(KafkaCluster kafka)
            throws Exception {
        Map<String, Detections> batched =
                run(kafka, b -> b.batching(8, Duration.ofMillis(20)), true);
        Map<String, Detections> alone = run(kafka, b -> b.batching(1, Duration.ZERO), false);

        assertThat(batched).hasSize(STREAMS * FRAMES).containsOnlyKeys(alone.keySet());
        batched.forEach(
                (key, result) -> {
                    assertThat(result.getStatus()).as(key).isEqualTo(DetectionStatus.OK);
                    assertThat(result.getDetections())
                            .as(key)
                            .isEqualTo(alone.get(key).getDetections());
                    int stream = Integer.parseInt(key.substring(1, key.indexOf('/')));
                    int seq = Integer.parseInt(key.substring(key.indexOf('/') + 1));
                    int x = squareX(stream, seq);
                    int y = squareY(stream, seq);
                    assertThat(result.getDetections())
                            .as(key)
                            .filteredOn(d -> d.getLabel().equals("bright"))
                            .extracting(
                                    d ->
                                            Math.round(d.getBox().getX())
                                                    + ","
                                                    + Math.round(d.getBox().getY()))
                            .containsExactlyInAnyOrder(
                                    x + "," + y,
                                    (x + 32) + "," + y,
                                    x + "," + (y + 32),
                                    (x + 32) + "," + (y + 32));
                });
    }

    /** Results of the same 4 × 40 frames by one worker, by "s{stream}/{seq}". */
    private static Map<String, Detections> run(
            KafkaCluster kafka,
            java.util.function.UnaryOperator<WorkerSettings.Builder> batching,
            boolean expectBatches)
            throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, STREAMS)) {
            for (int seq = 0; seq < FRAMES; seq++) {
                for (int stream = 0; stream < STREAMS; stream++) {
                    harness.send(frame(stream, seq));
                }
            }
            WorkerService worker =
                    harness.worker(
                            b ->
                                    batching.apply(
                                            b.defaultModel("bright-batched")
                                                    .decodeThreads(2)
                                                    .queueCapacity(16)));
            await().atMost(WorkerHarness.WAIT).until(() -> worker.committed() >= STREAMS * FRAMES);
            if (expectBatches) {
                assertThat(worker.largestBatch())
                        .as("frames of several streams ran together")
                        .isGreaterThan(1);
            } else {
                assertThat(worker.largestBatch()).isEqualTo(1);
            }
            return harness.results(STREAMS * FRAMES).stream()
                    .collect(
                            Collectors.toMap(
                                    r -> r.getStreamId() + "/" + r.getSeq(), Function.identity()));
        }
    }

    private static int squareX(int stream, int seq) {
        return 32 * ((stream * 7 + seq) % 18);
    }

    private static int squareY(int stream, int seq) {
        return 32 * ((stream * 3 + seq * 5) % 18);
    }

    /** A black 640×640 PNG with a white 64×64 square that moves with the stream and frame. */
    private static Frame frame(int stream, int seq) {
        try (Mat image = new Mat(640, 640, CV_8UC3, new Scalar(0, 0, 0, 0));
                Mat square =
                        image.apply(new Rect(squareX(stream, seq), squareY(stream, seq), 64, 64));
                Scalar white = new Scalar(255, 255, 255, 0);
                BytePointer png = new BytePointer()) {
            square.put(white);
            imencode(".png", image, png);
            byte[] bytes = new byte[(int) png.limit()];
            png.get(bytes);
            return WorkerHarness.pngFrame("s" + stream, seq, bytes, null, null);
        }
    }
}
