package io.panoptes.worker.bench;

import io.panoptes.testkit.TestData;
import io.panoptes.worker.http.InferenceHttpServer;
import io.panoptes.worker.image.FrameImageDecoder;
import io.panoptes.worker.model.ModelCatalog;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelRunner;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * HTTP inference (BlazeFace on Megamind frame 30, a 338 KB PNG) with 1, 4 and 16 concurrent
 * clients against in-process calls of the same decode + model code, in one run: requests/s and
 * p95 latency. The server infers 2 requests at a time with room for 16 waiting, so no request is
 * refused here. Run: {@code scripts/benchmark.sh http [seconds-per-level]}.
 */
public final class HttpInferenceBenchmark {

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        byte[] image = TestData.bytes(TestData.MEGAMIND_FRAME_030_PNG);
        ModelCatalog catalog = new ModelCatalog(Map.of("face",
                ModelConfig.of("face", TestData.file(TestData.BLAZEFACE_FRONT), ModelFamily.BLAZEFACE)), 1, 1);
        double inProcess = inProcess(catalog, image, seconds);
        System.out.printf(Locale.ROOT, "in-process (1 thread): %.1f req/s%n", inProcess);
        try (InferenceHttpServer server = new InferenceHttpServer(catalog,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2, 16, Long.MAX_VALUE, 32 << 20)) {
            URI url = URI.create(server.url() + "/v1/infer/face");
            load(url, image, 1, 3); // warm-up
            for (int clients : new int[] {1, 4, 16}) {
                double[] result = load(url, image, clients, seconds);
                System.out.printf(Locale.ROOT, "HTTP, %2d clients: %.1f req/s (%.2fx in-process), p95 %.1f ms, %d non-200%n",
                        clients, result[0], result[0] / inProcess, result[1], (long) result[2]);
            }
        }
        catalog.close();
        System.out.printf(Locale.ROOT, "machine: %d cores, %s %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
    }

    private static double inProcess(ModelCatalog catalog, byte[] image, double seconds) throws Exception {
        io.panoptes.avro.Frame frame = io.panoptes.avro.Frame.newBuilder().setStreamId("b").setSeq(0)
                .setCaptureTime(Instant.now()).setIngestTime(Instant.now())
                .setEncoding(io.panoptes.avro.FrameEncoding.PNG).setPayload(ByteBuffer.wrap(image)).build();
        try (ModelRunner runner = new ModelRunner(catalog.environment(), catalog.get("face"));
                FrameImageDecoder decoder = new FrameImageDecoder(Long.MAX_VALUE, null); Mat mat = new Mat()) {
            for (int i = 0; i < 50; i++) {
                runner.detect(decoder.decode(frame, mat));
            }
            long start = System.nanoTime();
            long n = 0;
            while (System.nanoTime() - start < seconds * 1e9) {
                runner.detect(decoder.decode(frame, mat));
                n++;
            }
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** {requests/s, p95 ms, non-200 answers}. */
    private static double[] load(URI url, byte[] image, int clients, double seconds) throws Exception {
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(clients)).build();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Future<List<long[]>>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                List<long[]> samples = new ArrayList<>();
                HttpRequest request = HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofByteArray(image)).build();
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    int status = http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
                    samples.add(new long[] {System.nanoTime() - t0, status});
                }
                return samples;
            }));
        }
        List<Long> latencies = new ArrayList<>();
        long failures = 0;
        for (Future<List<long[]>> f : futures) {
            for (long[] s : f.get()) {
                latencies.add(s[0]);
                failures += s[1] == 200 ? 0 : 1;
            }
        }
        pool.shutdown();
        Collections.sort(latencies);
        double p95 = latencies.get((int) (latencies.size() * 0.95)) / 1e6;
        return new double[] {latencies.size() / seconds, p95, failures};
    }
}
