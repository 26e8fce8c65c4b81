package io.panoptes.worker.bench;

import io.panoptes.testkit.BenchmarkMachine;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.ImageInference;
import io.panoptes.worker.WorkerSettings;
import io.panoptes.worker.http.InferenceHttpServer;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The Roboflow-shape route against the native one on the same server, same image and model
 * (BlazeFace on Megamind frame 30, a 338 KB PNG), 2 inference threads: {@code POST
 * /infer/object_detection} with the image base64 in JSON (451 KB) against {@code POST
 * /v1/infer/face} with the PNG as the body; 1 and 4 clients, rounds alternating. Target: at least
 * 0.90x the native throughput (the price of base64 and JSON is what is measured). Run: {@code
 * scripts/benchmark.sh roboflow [seconds-per-round] [rounds]}.
 */
public final class RoboflowBenchmark {

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        byte[] png = TestData.bytes(TestData.MEGAMIND_FRAME_030_PNG);
        byte[] json =
                ("{\"model_id\": \"face/1\", \"image\": {\"type\": \"base64\", \"value\": \""
                                + Base64.getEncoder().encodeToString(png)
                                + "\"}}")
                        .getBytes(StandardCharsets.US_ASCII);
        List<ModelConfig> models =
                List.of(
                        ModelConfig.of(
                                "face",
                                TestData.file(TestData.BLAZEFACE_FRONT),
                                ModelFamily.BLAZEFACE));
        boolean met = true;
        try (InferenceHttpServer server =
                new InferenceHttpServer(
                        ImageInference.of(models, Long.MAX_VALUE),
                        WorkerSettings.HttpInference.on(
                                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                        2)
                                .withQueue(16, 32 << 20))) {
            URI roboflow = URI.create(server.url() + "/infer/object_detection");
            URI nativeRoute = URI.create(server.url() + "/v1/infer/face");
            HttpInferenceBenchmark.load(roboflow, json, 4, seconds); // warm-up, both
            HttpInferenceBenchmark.load(nativeRoute, png, 4, seconds);
            for (int clients : new int[] {1, 4}) {
                double[][] ours = new double[rounds][];
                double[][] base = new double[rounds][];
                for (int round = 0; round < rounds; round++) {
                    base[round] = HttpInferenceBenchmark.load(nativeRoute, png, clients, seconds);
                    ours[round] = HttpInferenceBenchmark.load(roboflow, json, clients, seconds);
                }
                double rate = HttpInferenceBenchmark.median(ours, 0);
                double baseRate = HttpInferenceBenchmark.median(base, 0);
                boolean ok = rate >= 0.90 * baseRate;
                met &= ok;
                System.out.printf(
                        Locale.ROOT,
                        "%d clients: /infer/object_detection %.1f req/s, p95 %.1f ms | /v1/infer"
                                + " %.1f req/s, p95 %.1f ms | %.2fx, %d non-200 %s%n",
                        clients,
                        rate,
                        HttpInferenceBenchmark.median(ours, 1),
                        baseRate,
                        HttpInferenceBenchmark.median(base, 1),
                        rate / baseRate,
                        (long)
                                (HttpInferenceBenchmark.median(ours, 2)
                                        + HttpInferenceBenchmark.median(base, 2)),
                        ok ? "ok" : "MISSED");
            }
        }
        System.out.println(BenchmarkMachine.line());
        if (!met) {
            System.out.println("TARGET MISSED: the Roboflow route >= 0.90x of /v1/infer");
            System.exit(1);
        }
    }
}
