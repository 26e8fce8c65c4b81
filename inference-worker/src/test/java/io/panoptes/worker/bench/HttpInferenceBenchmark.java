package io.panoptes.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.panoptes.testkit.BenchmarkMachine;
import io.panoptes.testkit.TestData;
import io.panoptes.worker.ImageInference;
import io.panoptes.worker.WorkerSettings;
import io.panoptes.worker.http.InferenceHttpServer;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * HTTP inference (BlazeFace on Megamind frame 30, a 338 KB PNG) served by {@link
 * InferenceHttpServer} (Javalin on Jetty) against the same admission design on the JDK's {@code
 * HttpServer} (the server it replaced, kept here as the baseline), both with 2 inference threads
 * and room for 16 waiting, both running the same {@link ImageInference}; with 1, 4 and 16
 * concurrent clients, rounds alternating, in one run. Targets: throughput at least 0.95x the JDK
 * server's and p95 latency no more than 2 ms above it, at every level. Also printed: a single
 * thread calling the same decoder and model in-process. Run: {@code scripts/benchmark.sh http
 * [seconds-per-round] [rounds]}.
 */
public final class HttpInferenceBenchmark {

    private static final int CONCURRENCY = 2;
    private static final int QUEUE = 16;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.setProperty(
                "sun.net.httpserver.nodelay", "true"); // else the JDK server waits on delayed ACKs
        byte[] image = TestData.bytes(TestData.MEGAMIND_FRAME_030_PNG);
        List<ModelConfig> models =
                List.of(
                        ModelConfig.of(
                                "face",
                                TestData.file(TestData.BLAZEFACE_FRONT),
                                ModelFamily.BLAZEFACE));
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        boolean met = true;
        try (ImageInference direct = ImageInference.of(models, Long.MAX_VALUE);
                InferenceHttpServer javalin =
                        new InferenceHttpServer(
                                ImageInference.of(models, Long.MAX_VALUE),
                                WorkerSettings.HttpInference.on(loopback, CONCURRENCY)
                                        .withQueue(QUEUE, 32 << 20));
                JdkServer jdk =
                        new JdkServer(ImageInference.of(models, Long.MAX_VALUE), loopback)) {
            System.out.printf(
                    Locale.ROOT,
                    "in-process (1 thread): %.1f req/s%n",
                    inProcess(direct, image, seconds));
            URI ours = URI.create(javalin.url() + "/v1/infer/face");
            URI baseline = URI.create(jdk.url() + "/v1/infer/face");
            load(ours, image, 4, seconds); // warm-up, both
            load(baseline, image, 4, seconds);
            for (int clients : new int[] {1, 4, 16}) {
                met &= level(clients, ours, baseline, image, seconds, rounds);
            }
        }
        System.out.println(BenchmarkMachine.line());
        if (!met) {
            System.out.println(
                    "TARGET MISSED: throughput >= 0.95x and p95 <= JDK + 2 ms at every level");
            System.exit(1);
        }
    }

    /** Alternating rounds at one level; prints the medians and whether the targets are met. */
    private static boolean level(
            int clients, URI ours, URI baseline, byte[] image, double seconds, int rounds)
            throws Exception {
        double[][] javalin = new double[rounds][];
        double[][] jdk = new double[rounds][];
        for (int round = 0; round < rounds; round++) {
            jdk[round] = load(baseline, image, clients, seconds);
            javalin[round] = load(ours, image, clients, seconds);
        }
        double rate = median(javalin, 0);
        double baseRate = median(jdk, 0);
        double p95 = median(javalin, 1);
        double baseP95 = median(jdk, 1);
        boolean met = rate >= 0.95 * baseRate && p95 <= baseP95 + 2;
        System.out.printf(
                Locale.ROOT,
                "%2d clients: Javalin %.1f req/s, p95 %.1f ms | JDK %.1f req/s, p95 %.1f ms |"
                        + " %.2fx, p95 %+.1f ms, %d non-200 %s%n",
                clients,
                rate,
                p95,
                baseRate,
                baseP95,
                rate / baseRate,
                p95 - baseP95,
                (long) (median(javalin, 2) + median(jdk, 2)),
                met ? "ok" : "MISSED");
        return met;
    }

    static double median(double[][] rounds, int column) {
        double[] values = Arrays.stream(rounds).mapToDouble(r -> r[column]).sorted().toArray();
        return values[values.length / 2];
    }

    private static double inProcess(ImageInference inference, byte[] image, double seconds) {
        for (int i = 0; i < 50; i++) {
            inference.infer("face", image, ImageInference.Options.DEFAULTS);
        }
        long start = System.nanoTime();
        long n = 0;
        while (System.nanoTime() - start < seconds * 1e9) {
            inference.infer("face", image, ImageInference.Options.DEFAULTS);
            n++;
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    /** {requests/s, p95 ms, non-200 answers}. */
    static double[] load(URI url, byte[] image, int clients, double seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        ExecutorService io = Executors.newFixedThreadPool(clients);
        HttpClient http = HttpClient.newBuilder().executor(io).build();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Future<List<long[]>>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(
                    pool.submit(
                            () -> {
                                List<long[]> samples = new ArrayList<>();
                                HttpRequest request =
                                        HttpRequest.newBuilder(url)
                                                .POST(HttpRequest.BodyPublishers.ofByteArray(image))
                                                .build();
                                while (System.nanoTime() < end) {
                                    long t0 = System.nanoTime();
                                    int status =
                                            http.send(request, HttpResponse.BodyHandlers.ofString())
                                                    .statusCode();
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
        io.shutdown();
        Collections.sort(latencies);
        double p95 = latencies.get((int) (latencies.size() * 0.95)) / 1e6;
        return new double[] {latencies.size() / seconds, p95, failures};
    }

    /**
     * The baseline: the admission design of the JDK-server version of {@code InferenceHttpServer}
     * (the accepting thread admits or refuses with 429, a pool of {@code CONCURRENCY} threads reads
     * the body, infers and answers), doing the same work.
     */
    private static final class JdkServer implements AutoCloseable {
        private final ImageInference inference;
        private final HttpServer server;
        private final ExecutorService executor =
                Executors.newFixedThreadPool(CONCURRENCY, r -> new Thread(r, "jdk-infer"));
        private final Semaphore admitted = new Semaphore(CONCURRENCY + QUEUE);
        private final ObjectMapper json = new ObjectMapper();

        JdkServer(ImageInference inference, InetSocketAddress address) throws IOException {
            this.inference = inference;
            this.server = HttpServer.create(address, 64);
            server.createContext("/", this::admit);
            server.setExecutor(Runnable::run);
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        private void admit(HttpExchange exchange) {
            if (!admitted.tryAcquire()) {
                respond(exchange, 429, Map.of("error", "too many requests"));
                return;
            }
            executor.execute(
                    () -> {
                        try (InputStream in = exchange.getRequestBody()) {
                            byte[] body = in.readAllBytes();
                            String model =
                                    exchange.getRequestURI()
                                            .getPath()
                                            .substring("/v1/infer/".length());
                            respond(
                                    exchange,
                                    200,
                                    inference.infer(model, body, ImageInference.Options.DEFAULTS));
                        } catch (IOException | RuntimeException e) {
                            respond(exchange, 500, Map.of("error", e.toString()));
                        } finally {
                            admitted.release();
                        }
                    });
        }

        private void respond(HttpExchange exchange, int status, Object body) {
            try (exchange) {
                byte[] bytes = json.writeValueAsBytes(body);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            } catch (IOException e) {
                // the client went away
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
            inference.close();
        }
    }
}
