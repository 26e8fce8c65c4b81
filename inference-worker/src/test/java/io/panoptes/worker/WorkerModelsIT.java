package io.panoptes.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.avro.ModelLayout;
import io.panoptes.avro.ModelSpec;
import io.panoptes.testkit.KafkaCluster;
import io.panoptes.testkit.KafkaClusterExtension;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.model.ModelCache;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models as data: a running worker loads, reloads and forgets models as their specs change on the
 * models topic, without a restart; frames for a model still downloading wait a bounded time.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(300)
class WorkerModelsIT {

    private static final byte[] PNG = TestData.bytes(TestData.WHITE_SQUARE_PNG);
    private static final Path BRIGHT = TestData.file(TestData.BRIGHT_SQUARE_YOLOV8);

    @TempDir Path cache;
    private long seq;

    @Test
    void shouldUseModelsAsTheirSpecsChangeWithoutARestart(KafkaCluster kafka) throws Exception {
        try (WorkerHarness harness = new WorkerHarness(kafka, 1)) {
            WorkerService worker = harness.worker(b -> b.defaultModel("blazeface"));

            putModel(harness, spec("squares", BRIGHT.toString(), List.of("bright", "dark")));
            Detections first = firstResultWith(harness, worker, "squares", "bright");
            assertThat(first.getDetections())
                    .filteredOn(d -> d.getLabel().equals("bright"))
                    .hasSize(4);
            assertThat(first.getModel().getVersion()).startsWith("sha256:");

            putModel(harness, spec("squares", BRIGHT.toString(), List.of("light", "shadow")));
            Detections relabelled = firstResultWith(harness, worker, "squares", "light");
            assertThat(relabelled.getDetections())
                    .filteredOn(d -> d.getLabel().equals("light"))
                    .hasSize(4);

            ModelSpec colour =
                    spec(
                            "colour",
                            TestData.file(TestData.CLS_COLOUR_YOLOV8).toString(),
                            List.of("red", "green", "blue"));
            colour.setTask(io.panoptes.avro.ModelTask.CLASSIFY);
            colour.setConfidence(0f);
            putModel(harness, colour);
            Detections classified = resultOf(harness, worker, "colour");
            while (classified.getStatus() != DetectionStatus.OK) {
                classified = resultOf(harness, worker, "colour"); // until the worker has read it
            }
            assertThat(classified.getDetections()).isEmpty();
            assertThat(classified.getClassifications())
                    .as("a grey-ish frame: a third each")
                    .hasSize(3)
                    .allSatisfy(c -> assertThat(c.getConfidence()).isBetween(0.32f, 0.34f));

            Path garbage = cache.resolve("corrupt.onnx");
            Files.write(garbage, new byte[] {1, 2, 3, 4});
            putModel(harness, spec("corrupt", garbage.toString(), List.of()));
            ModelSpec noFamily = spec("odd", BRIGHT.toString(), List.of());
            noFamily.setFamily(ModelLayout.UNKNOWN);
            putModel(harness, noFamily);
            assertThat(failureOf(harness, worker, "corrupt"))
                    .contains("model corrupt")
                    .contains("ONNX Runtime cannot load it");
            assertThat(failureOf(harness, worker, "odd"))
                    .contains("model odd (models topic v0) is invalid: family: is required");

            deleteModel(harness, "squares");
            assertThat(failureOf(harness, worker, "squares")).contains("unknown model 'squares'");
            assertThat(worker.failure()).isEmpty();
            assertThat(worker.lostFrames()).isZero();
        }
    }

    @Test
    void shouldFailFramesNamingAModelStillDownloadingThenUseItOnceThere(KafkaCluster kafka)
            throws Exception {
        byte[] onnx = Files.readAllBytes(BRIGHT);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/bright.onnx",
                exchange -> {
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    exchange.sendResponseHeaders(200, onnx.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(onnx);
                    }
                });
        server.start();
        try (WorkerHarness harness = new WorkerHarness(kafka, 1)) {
            WorkerService worker =
                    harness.worker(
                            b ->
                                    b.defaultModel("blazeface")
                                            .modelCache(new ModelCache(cache, 1 << 30, true))
                                            .modelResidency(4, Duration.ofSeconds(2)));
            ModelSpec remote =
                    spec(
                            "remote",
                            "http://127.0.0.1:" + server.getAddress().getPort() + "/bright.onnx",
                            List.of("bright", "dark"));
            remote.setSha256(
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(onnx)));
            putModel(harness, remote);

            assertThat(failureOf(harness, worker, "remote"))
                    .contains("model remote is still loading")
                    .contains("frames wait at most 2 s");
            release.countDown();
            Detections loaded = firstResultWith(harness, worker, "remote", "bright");
            assertThat(loaded.getStatus()).isEqualTo(DetectionStatus.OK);
        } finally {
            server.stop(0);
        }
    }

    /** Sends frames naming {@code modelId} until one's result has a detection labelled so. */
    private Detections firstResultWith(
            WorkerHarness harness, WorkerService worker, String modelId, String label)
            throws Exception {
        long deadline = System.nanoTime() + WorkerHarness.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Detections result = resultOf(harness, worker, modelId);
            if (result.getDetections().stream().anyMatch(d -> d.getLabel().equals(label))) {
                return result;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no result of " + modelId + " labelled " + label);
    }

    /** The error of the first FAILED result of frames naming {@code modelId}. */
    private String failureOf(WorkerHarness harness, WorkerService worker, String modelId)
            throws Exception {
        long deadline = System.nanoTime() + WorkerHarness.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Detections result = resultOf(harness, worker, modelId);
            if (result.getStatus() == DetectionStatus.FAILED) {
                return result.getError();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no frame of " + modelId + " failed");
    }

    /** Sends one frame naming {@code modelId} and waits for its result. */
    private Detections resultOf(WorkerHarness harness, WorkerService worker, String modelId) {
        long mine = seq++;
        harness.send(frame(mine, modelId));
        List<Detections> all = harness.results((int) seq);
        return all.stream().filter(d -> d.getSeq() == mine).findFirst().orElseThrow();
    }

    private static ModelSpec spec(String id, String source, List<String> labels) {
        return ModelSpec.newBuilder()
                .setModelId(id)
                .setSource(source)
                .setFamily(ModelLayout.YOLOV8)
                .setLabels(labels)
                .setConfidence(0.5f)
                .build();
    }

    private static void putModel(WorkerHarness harness, ModelSpec spec) throws Exception {
        send(harness, spec.getModelId(), spec);
    }

    private static void deleteModel(WorkerHarness harness, String id) throws Exception {
        send(harness, id, null);
    }

    private static void send(WorkerHarness harness, String id, ModelSpec spec) throws Exception {
        try (KafkaProducer<String, ModelSpec> producer =
                new KafkaProducer<>(
                        Map.of("bootstrap.servers", harness.kafka.bootstrapServers()),
                        harness.topics.models().keySerde().serializer(),
                        harness.topics.models().valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(harness.topics.models().name(), id, spec)).get();
        }
    }

    private static Frame frame(long seq, String modelId) {
        return WorkerHarness.pngFrame("models", seq, PNG, null, modelId);
    }
}
