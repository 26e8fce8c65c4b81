package io.panoptes.worker.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.panoptes.runtime.http.BearerToken;
import io.panoptes.runtime.http.Exchanges;
import io.panoptes.runtime.http.HttpProblem;
import io.panoptes.runtime.http.HttpServer;
import io.panoptes.runtime.net.PublicHttpFetcher;
import io.panoptes.worker.ImageInference;
import io.panoptes.worker.InferenceException;
import io.panoptes.worker.WorkerSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synchronous inference over HTTP (the microservice mode): {@code POST /v1/infer/{modelId}} with a
 * JPEG or PNG body (raw, or as the {@code image} part of a multipart/form-data form) answers the
 * detections as JSON ({@link ImageInference}). Query parameters: {@code confidence}, {@code iou},
 * {@code classes} (labels, comma-separated). Beside it, Roboflow's request and response shapes
 * ({@link RoboflowApi}), so that its clients switch by changing the base URL. With a token, every
 * request needs {@code Authorization: Bearer <token>} (the Roboflow routes also take it as {@code
 * api_key}). At most {@code concurrency} requests infer at once, on threads of their own, and
 * {@code queue} more wait; more get 429 at once rather than queueing without bound. Bodies above
 * {@code maxBodyBytes} get 413; images above the pixel cap, undecodable or truncated ones 422;
 * other media types 415; unknown models 404; every refusal is {@code {"error", "field"}}. Owns a
 * socket and threads: close it.
 */
public final class InferenceHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InferenceHttpServer.class);
    private static final String PREFIX = "/v1/infer/";
    private static final Duration STOP = Duration.ofSeconds(10);
    private static final Duration URL_TIMEOUT = Duration.ofSeconds(10);
    private static final String USAGE =
            ": use POST "
                    + PREFIX
                    + "{modelId} with a JPEG or PNG body, or a multipart form with an 'image' part;"
                    + " or Roboflow's POST /infer/{task} and POST /{project}/{version}";

    private final ImageInference inference;
    private final RoboflowApi roboflow;
    private final Optional<String> token;
    private final int maxBodyBytes;
    private final Semaphore admitted;
    private final ExecutorService inferring;
    private final HttpServer server;

    public InferenceHttpServer(ImageInference inference, WorkerSettings.HttpInference settings) {
        int concurrency = settings.concurrency();
        this.inference = inference;
        this.token = settings.token();
        this.maxBodyBytes = settings.maxBodyBytes();
        this.roboflow =
                new RoboflowApi(
                        inference,
                        settings.imageUrls() ? new PublicHttpFetcher(URL_TIMEOUT) : null,
                        maxBodyBytes);
        this.admitted = new Semaphore(concurrency + settings.queue());
        AtomicInteger threads = new AtomicInteger();
        this.inferring =
                Executors.newFixedThreadPool(
                        concurrency,
                        r -> {
                            Thread t = new Thread(r, "http-infer-" + threads.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        try {
            this.server =
                    HttpServer.builder("HTTP inference")
                            .address(settings.address())
                            .threads(concurrency + 8)
                            .notFoundHint(USAGE)
                            .wrongMethodIsNotFound()
                            .routes(this::routes)
                            .start();
        } catch (RuntimeException e) {
            inferring.shutdownNow();
            roboflow.close();
            throw e;
        }
        log.info(
                "HTTP inference at {}{}<model> and {}/infer/<task> ({})",
                url(),
                PREFIX,
                url(),
                token.isPresent() ? "token required" : "NO AUTHENTICATION");
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    private void routes(RoutesConfig routes) {
        routes.exception(
                InferenceException.class,
                (e, ctx) ->
                        Exchanges.json(
                                ctx, e.reason().httpStatus(), Map.of("error", e.getMessage())));
        routes.post(
                PREFIX + "{modelId}",
                ctx -> {
                    authenticate(ctx, false);
                    String modelId = ctx.pathParam("modelId");
                    ImageInference.Options options = options(ctx);
                    admit(ctx, body -> inference.infer(modelId, image(ctx, body), options));
                });
        // Roboflow's inference server, then its hosted API (registered second: /infer/x matches
        // both, and the first route added wins)
        routes.post(
                "/infer/{task}",
                ctx -> {
                    boolean keyInBody = authenticate(ctx, true);
                    String task = ctx.pathParam("task");
                    admit(
                            ctx,
                            body ->
                                    roboflow.task(
                                            task,
                                            body,
                                            key -> {
                                                if (keyInBody) {
                                                    requireToken(key);
                                                }
                                            }));
                });
        routes.post(
                "/{project}/{version}",
                ctx -> {
                    authenticate(ctx, false);
                    RoboflowApi.Hosted request = roboflow.hosted(ctx);
                    admit(ctx, body -> roboflow.hosted(request, body));
                });
    }

    /**
     * Checks the {@code Authorization} header or the {@code api_key} query parameter; with {@code
     * bodyMayCarry}, a request that has neither may still carry the key in its JSON body.
     *
     * @return whether the key must be checked in the body
     */
    private boolean authenticate(Context ctx, boolean bodyMayCarry) {
        if (token.isEmpty()) {
            return false;
        }
        String header = ctx.header("Authorization");
        String key = ctx.queryParam("api_key");
        if (header == null && key == null && bodyMayCarry) {
            return true;
        }
        requireToken(key != null ? key : BearerToken.fromHeader(header));
        return false;
    }

    private void requireToken(String presented) {
        BearerToken.require(
                token.orElseThrow(), presented, "'Authorization: Bearer <token>' (or api_key)");
    }

    /**
     * Admits the request or refuses it at once; an inference thread then reads its upload, infers
     * and answers, as the server's threads go on accepting. Measured on 2 cores: reading uploads on
     * other threads meanwhile, or inferring on the server's threads, cost 5 to 15 % of the
     * throughput (more threads competing for the cores, images moving between them).
     */
    private void admit(Context ctx, Function<byte[], Object> answer) {
        if (!admitted.tryAcquire()) {
            throw new HttpProblem(429, null, "too many requests in progress; retry shortly")
                    .withHeader("Retry-After", "1");
        }
        try {
            ctx.future(
                    () ->
                            CompletableFuture.runAsync(
                                            () ->
                                                    Exchanges.json(
                                                            ctx,
                                                            200,
                                                            answer.apply(
                                                                    Exchanges.body(
                                                                            ctx,
                                                                            maxBodyBytes,
                                                                            "body"))),
                                            inferring)
                                    .whenComplete((ok, e) -> admitted.release()));
        } catch (RuntimeException e) {
            admitted.release();
            throw e;
        }
    }

    /** The image: the body itself, or its image part when it is multipart/form-data. */
    private static byte[] image(Context ctx, byte[] body) {
        if (body.length == 0) {
            throw new HttpProblem(400, "body", "the body is empty: send the image's bytes");
        }
        String contentType = ctx.header("Content-Type");
        if (!MultipartImage.isMultipart(contentType)) {
            return body;
        }
        try {
            return MultipartImage.extract(contentType, body);
        } catch (IllegalArgumentException e) {
            throw new HttpProblem(400, "body", e.getMessage());
        }
    }

    private static ImageInference.Options options(Context ctx) {
        String classes = ctx.queryParam("classes");
        return new ImageInference.Options(
                threshold(ctx, "confidence"),
                threshold(ctx, "iou"),
                classes == null ? null : Set.of(classes.split(",")));
    }

    private static Float threshold(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return null;
        }
        try {
            float parsed = Float.parseFloat(value);
            if (parsed >= 0 && parsed <= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new HttpProblem(
                400,
                name,
                "query parameter " + name + " must be a number in [0, 1], got '" + value + "'");
    }

    @Override
    public void close() {
        server.close();
        inferring.shutdownNow();
        try {
            inferring.awaitTermination(STOP.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        roboflow.close();
        inference.close(); // the inference threads' runners, once they are done
    }
}
