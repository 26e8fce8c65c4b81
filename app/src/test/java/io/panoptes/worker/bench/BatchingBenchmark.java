package io.panoptes.worker.bench;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.ingest.IngestService;
import io.panoptes.ingest.IngestSettings;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.kafka.embedded.EmbeddedKafkaBroker;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.BenchmarkMachine;
import io.panoptes.testkit.TestData;
import io.panoptes.testkit.TestVideos;
import io.panoptes.worker.WorkerService;
import io.panoptes.worker.WorkerSettings;
import io.panoptes.worker.internal.model.ModelRunner;
import io.panoptes.worker.internal.model.OnnxModel;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Batching across streams: the worker's throughput on 4 streams (4 partitions) with batches of up
 * to 8 frames against batches of 1, with the same threads (1 decode, 1 inference, 1 intra-op), on
 * the dynamic-batch bright-square model, in one run; rounds alternate so that drift hits both.
 *
 * <p>Run: {@code scripts/benchmark.sh batching [loops-per-stream] [rounds]}.
 */
public final class BatchingBenchmark {

    private static final int STREAMS = 4;
    private static final int FRAMES_PER_LOOP = 271;
    private static final InMemorySchemaRegistry REGISTRY = new InMemorySchemaRegistry();

    public static void main(String[] args) throws Exception {
        int loops = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        ModelConfig model =
                ModelConfig.of(
                                "bright-batched",
                                TestData.file(TestData.BRIGHT_SQUARE_YOLOV8_DYNBATCH),
                                ModelFamily.YOLOV8)
                        .withLabels(List.of("bright", "dark"))
                        .withThresholds(0.5f, 0.45f);
        long frames = (long) STREAMS * loops * FRAMES_PER_LOOP;
        modelOnly(model, 10);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            run(broker, model, "warm-up", loops, b -> b.batching(8, Duration.ZERO));
            double batchedSum = 0;
            double aloneSum = 0;
            for (int round = 1; round <= rounds; round++) {
                double alone =
                        run(
                                broker,
                                model,
                                "alone-" + round,
                                loops,
                                b -> b.batching(1, Duration.ZERO));
                double batched =
                        run(
                                broker,
                                model,
                                "batched-" + round,
                                loops,
                                b -> b.batching(8, Duration.ZERO));
                aloneSum += alone;
                batchedSum += batched;
                System.out.printf(
                        Locale.ROOT,
                        "round %d: batch<=8 %.1f fps, batch 1 %.1f fps: %.2fx%n",
                        round,
                        batched,
                        alone,
                        batched / alone);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%d streams x %d frames each, %d rounds: batching %.1f fps vs %.1f fps unbatched: %.2fx%n",
                    STREAMS,
                    frames / STREAMS,
                    rounds,
                    batchedSum / rounds,
                    aloneSum / rounds,
                    batchedSum / aloneSum);
        }
        System.out.println(BenchmarkMachine.line());
    }

    /** The model alone: 8 images per run against 8 runs of one, same thread, for seconds each. */
    private static void modelOnly(ModelConfig config, double seconds) throws Exception {
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession.SessionOptions options =
                new ai.onnxruntime.OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (OnnxModel model = OnnxModel.load(env, config, options);
                    ModelRunner runner = new ModelRunner(env, model, 8);
                    Mat image =
                            imread(
                                    TestData.file(TestData.WHITE_SQUARE_PNG).toString(),
                                    IMREAD_COLOR)) {
                List<Mat> eight = java.util.Collections.nCopies(8, image);
                double alone = 0;
                double batched = 0;
                for (int round = 0; round < 2; round++) { // the first round warms up
                    alone =
                            imagesPerSecond(
                                    seconds,
                                    () -> {
                                        for (Mat m : eight) {
                                            runner.detect(m);
                                        }
                                    });
                    batched = imagesPerSecond(seconds, () -> runner.detect(eight));
                }
                System.out.printf(
                        Locale.ROOT,
                        "model alone (640x640 PNG decoded once): batches of 8 %.1f images/s vs 8 single runs"
                                + " %.1f images/s: %.2fx%n",
                        batched,
                        alone,
                        batched / alone);
            }
        }
    }

    private interface EightImages {
        void run() throws Exception;
    }

    private static double imagesPerSecond(double seconds, EightImages work) throws Exception {
        long start = System.nanoTime();
        long images = 0;
        while (System.nanoTime() - start < seconds * 1e9) {
            work.run();
            images += 8;
        }
        return images / ((System.nanoTime() - start) / 1e9);
    }

    /** Fills fresh topics with 4 streams, then times one worker through all of their frames. */
    private static double run(
            EmbeddedKafkaBroker broker,
            ModelConfig model,
            String name,
            int loops,
            UnaryOperator<WorkerSettings.Builder> batching)
            throws Exception {
        Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
        Topics topics = Topics.create(name + ".", REGISTRY);
        try (Admin admin = Admin.create(kafka)) {
            new TopicAdmin(admin, Duration.ofSeconds(30))
                    .ensure(
                            TopicSettings.builder()
                                    .prefix(name + ".")
                                    .framesPartitions(STREAMS)
                                    .partitions(1)
                                    .controlPartitions(1)
                                    .build()
                                    .specs());
        }
        // a produce right after creation can meet a partition whose leader is not ready yet, and an
        // idempotent
        // producer retrying then may loop on OUT_OF_ORDER_SEQUENCE_NUMBER (seen here with Kafka
        // 4.4): let leaders settle
        Thread.sleep(2000);
        try (IngestService ingest =
                RoleService.started(
                        new IngestService(
                                IngestSettings.builder().fileLagBound(0).build(),
                                kafka,
                                topics,
                                new SimpleMeterRegistry()))) {
            for (int loop = 0; loop < loops; loop++) {
                for (int stream = 0; stream < STREAMS; stream++) {
                    ingest.add(
                            SourceSpec.builder(TestVideos.megamind().toString())
                                    .streamId("s" + stream + "-" + loop)
                                    .build());
                }
                ingest.awaitEnded(Duration.ofMinutes(5));
            }
        }
        long frames = (long) STREAMS * loops * FRAMES_PER_LOOP;
        WorkerSettings settings =
                batching.apply(
                                WorkerSettings.builder()
                                        .groupId(name)
                                        .model(model)
                                        .queueCapacity(16))
                        .build();
        long start = System.nanoTime();
        try (WorkerService worker =
                RoleService.started(
                        new WorkerService(settings, kafka, topics, new SimpleMeterRegistry()))) {
            long last = -1;
            long progressAt = System.nanoTime();
            while (worker.committed() < frames) {
                Thread.sleep(5);
                if (worker.committed() != last) {
                    last = worker.committed();
                    progressAt = System.nanoTime();
                } else if (System.nanoTime() - progressAt > 30e9) {
                    throw new IllegalStateException(
                            name
                                    + ": stalled at "
                                    + last
                                    + " of "
                                    + frames
                                    + " results, "
                                    + worker.inFlight()
                                    + " in flight, running "
                                    + worker.isRunning()
                                    + " "
                                    + worker.failure());
                }
            }
            return frames / ((System.nanoTime() - start) / 1e9);
        }
    }
}
