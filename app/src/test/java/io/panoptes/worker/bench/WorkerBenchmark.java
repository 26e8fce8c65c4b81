package io.panoptes.worker.bench;

import ai.onnxruntime.OrtSession;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.panoptes.avro.Frame;
import io.panoptes.ingest.IngestService;
import io.panoptes.ingest.IngestSettings;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.kafka.embedded.EmbeddedKafkaBroker;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.schemas.KafkaRecords;
import io.panoptes.schemas.registry.InMemorySchemaRegistry;
import io.panoptes.schemas.topics.TopicAdmin;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.testkit.TestData;
import io.panoptes.testkit.TestVideos;
import io.panoptes.worker.WorkerService;
import io.panoptes.worker.WorkerSettings;
import io.panoptes.worker.image.FrameImageDecoder;
import io.panoptes.worker.internal.model.ModelRunner;
import io.panoptes.worker.internal.model.OnnxModel;
import io.panoptes.worker.model.BundledModels;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;

/**
 * Worker throughput (consume, deserialize, JPEG decode, preprocess, {@code session.run},
 * postprocess, serialize, transactional produce + offsets) against a plain loop doing the same
 * non-Kafka work on the same JPEG frames with the same threads (one inference thread, one intra-op
 * thread), in one run, each over at least 30 s after warm-up; for BlazeFace, bright-square and the
 * bundled COCO detector. Target ≥ 0.9×. Also p50/p95 frame→result latency of a live-paced stream,
 * and the process RSS.
 *
 * <p>Run: {@code scripts/benchmark.sh worker [seconds] [blazeface|bright|coco ...]}.
 */
public final class WorkerBenchmark {

    private static final double TARGET = 0.9;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 30;
        List<String> chosen =
                args.length > 1
                        ? List.of(args).subList(1, args.length)
                        : List.of("blazeface", "bright", "coco");
        List<ModelConfig> models =
                Stream.of(
                                ModelConfig.of(
                                        "blazeface",
                                        TestData.file(TestData.BLAZEFACE_FRONT),
                                        ModelFamily.BLAZEFACE),
                                ModelConfig.of(
                                                "bright",
                                                TestData.file(TestData.BRIGHT_SQUARE_YOLOV8),
                                                ModelFamily.YOLOV8)
                                        .withLabels(List.of("bright", "dark"))
                                        .withThresholds(0.5f, 0.45f),
                                BundledModels.COCO.config())
                        .filter(m -> chosen.contains(m.id()))
                        .toList();
        boolean pass = true;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            Topics source = topics(broker, "jpegs.");
            ingest(broker, source, 1, false);
            List<Frame> jpegs =
                    KafkaRecords.read(
                                    broker.bootstrapServers(),
                                    source.frames().name(),
                                    270,
                                    source.frames().keySerde().deserializer(),
                                    source.frames().valueSerde().deserializer(),
                                    Duration.ofSeconds(60))
                            .stream()
                            .map(r -> r.value())
                            .filter(f -> !f.getEndOfStream())
                            .toList();
            for (ModelConfig model : models) {
                double plain = plainLoop(model, jpegs, 5); // warm-up
                plain = plainLoop(model, jpegs, seconds);
                int loops = (int) Math.ceil(plain * seconds / 271);
                Topics topics = topics(broker, model.id() + ".");
                ingest(broker, topics, loops, false);
                workerRun(
                        broker,
                        topics,
                        model,
                        271,
                        "warm-up-" + model.id()); // warm-up on the first loop
                Topics measured = topics(broker, model.id() + "-measured.");
                ingest(broker, measured, loops, false);
                double worker =
                        workerRun(broker, measured, model, loops * 271L, "bench-" + model.id());
                double ratio = worker / plain;
                pass &= ratio >= TARGET;
                System.out.printf(
                        Locale.ROOT,
                        "%s: worker %.1f fps vs plain loop %.1f fps over %d frames: %.2fx (target >= %.1f) %s%n",
                        model.id(),
                        worker,
                        plain,
                        loops * 271,
                        ratio,
                        TARGET,
                        ratio >= TARGET ? "PASS" : "FAIL");
            }
            latency(broker, models.get(0));
        }
        System.out.printf(
                Locale.ROOT,
                "RSS %d MiB; machine: %d cores, %s %s%n",
                rssMiB(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
        System.exit(pass ? 0 : 1);
    }

    private static double plainLoop(ModelConfig config, List<Frame> jpegs, double seconds)
            throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (OnnxModel model =
                            OnnxModel.load(
                                    ai.onnxruntime.OrtEnvironment.getEnvironment(),
                                    config,
                                    options);
                    ModelRunner runner =
                            new ModelRunner(ai.onnxruntime.OrtEnvironment.getEnvironment(), model);
                    FrameImageDecoder decoder = new FrameImageDecoder(Long.MAX_VALUE, null);
                    org.bytedeco.opencv.opencv_core.Mat image =
                            new org.bytedeco.opencv.opencv_core.Mat()) {
                long frames = 0;
                long start = System.nanoTime();
                long sink = 0;
                while (System.nanoTime() - start < seconds * 1e9) {
                    sink +=
                            runner.detect(
                                            decoder.decode(
                                                    jpegs.get((int) (frames % jpegs.size())),
                                                    image))
                                    .detections()
                                    .size();
                    frames++;
                }
                if (sink < 0) {
                    System.out.print("");
                }
                return frames / ((System.nanoTime() - start) / 1e9);
            }
        }
    }

    private static double workerRun(
            EmbeddedKafkaBroker broker, Topics topics, ModelConfig model, long frames, String group)
            throws Exception {
        WorkerSettings settings =
                WorkerSettings.builder().groupId(group).model(model).queueCapacity(8).build();
        try (WorkerService worker =
                RoleService.started(
                        new WorkerService(
                                settings,
                                Map.of("bootstrap.servers", broker.bootstrapServers()),
                                topics,
                                new SimpleMeterRegistry()))) {
            // timed from the first commit, as the plain loop is timed after its model loaded:
            // joining the group and the first transaction are start-up, not throughput
            while (worker.committed() < 1) {
                Thread.sleep(1);
            }
            long start = System.nanoTime();
            long first = worker.committed();
            while (worker.committed() < frames) {
                Thread.sleep(5);
            }
            return (frames - first) / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void latency(EmbeddedKafkaBroker broker, ModelConfig model) throws Exception {
        Topics topics = topics(broker, "latency.");
        WorkerSettings settings = WorkerSettings.builder().groupId("latency").model(model).build();
        try (WorkerService worker =
                RoleService.started(
                        new WorkerService(
                                settings,
                                Map.of("bootstrap.servers", broker.bootstrapServers()),
                                topics,
                                new SimpleMeterRegistry()))) {
            Thread.sleep(3000); // joined the group
            ingest(broker, topics, 2, true); // Megamind twice, paced at 23.976 fps like a camera
            while (worker.committed() < 2 * 271) {
                Thread.sleep(10);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%s at light load (live-paced 24 fps): frame->result p50 %d ms, p95 %d ms%n",
                    model.id(),
                    worker.p50FrameAge().toMillis(),
                    worker.p95FrameAge().toMillis());
        }
    }

    private static Topics topics(EmbeddedKafkaBroker broker, String prefix) throws Exception {
        Topics topics = Topics.create(prefix, SHARED_REGISTRY);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            new TopicAdmin(admin, Duration.ofSeconds(30))
                    .ensure(
                            TopicSettings.builder()
                                    .prefix(prefix)
                                    .framesPartitions(1)
                                    .partitions(1)
                                    .controlPartitions(1)
                                    .build()
                                    .specs());
        }
        return topics;
    }

    private static final InMemorySchemaRegistry SHARED_REGISTRY = new InMemorySchemaRegistry();

    private static void ingest(
            EmbeddedKafkaBroker broker, Topics topics, int loops, boolean realtime)
            throws Exception {
        try (IngestService ingest =
                RoleService.started(
                        new IngestService(
                                IngestSettings.builder().fileLagBound(0).build(),
                                Map.of("bootstrap.servers", broker.bootstrapServers()),
                                topics,
                                new SimpleMeterRegistry()))) {
            for (int i = 0; i < loops; i++) {
                ingest.add(
                        SourceSpec.builder(TestVideos.megamind().toString())
                                .streamId("mm-" + i)
                                .realtime(realtime)
                                .build());
                ingest.awaitEnded(Duration.ofMinutes(5));
            }
        }
    }

    private static long rssMiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
