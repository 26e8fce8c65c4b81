package io.panoptes.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.panoptes.avro.DesiredState;
import io.panoptes.avro.ModelSpec;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.pipeline.source.SourceUris;
import io.panoptes.runtime.http.BearerToken;
import io.panoptes.runtime.http.Exchanges;
import io.panoptes.runtime.http.HttpProblem;
import io.panoptes.runtime.http.HttpServer;
import io.panoptes.runtime.lifecycle.Lifecycle;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.runtime.observability.HealthCheck;
import io.panoptes.schemas.json.AvroJson;
import io.panoptes.schemas.topics.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API over HTTP (JSON; documented by {@code /openapi.json}):
 *
 * <pre>
 * GET    /v1/pipelines                      list, with statuses
 * POST   /v1/pipelines                      create (201, ETag = version)
 * GET    /v1/pipelines/{id}                 spec and status
 * PUT    /v1/pipelines/{id}                 replace the spec (If-Match required)
 * DELETE /v1/pipelines/{id}                 remove
 * POST   /v1/pipelines/{id}/pause|resume|terminate
 * GET    /v1/pipelines/{id}/results         detections, counts and events as Server-Sent Events
 * GET    /v1/models                         the models workers may run
 * GET    /v1/models/{id}                    one model's spec (ETag = version)
 * PUT    /v1/models/{id}                    create or replace (If-Match optional); workers load it
 *                                           when a frame next asks, without a restart
 * DELETE /v1/models/{id}                    remove
 * GET    /v1/counts?stream=...              proxied to the aggregator
 * GET    /health, /openapi.json             without authentication
 * </pre>
 *
 * Every refusal is {@code {"error", "field"}}. Owns a socket, threads and Kafka clients from {@link
 * #start()}: close it.
 */
public final class ApiServer implements RoleService {

    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final int MAX_BODY = 1 << 20;
    private static final String PIPELINES = "/v1/pipelines";
    private static final String PIPELINE = PIPELINES + "/{id}";
    private static final String MODELS = "/v1/models";
    private static final String MODEL = MODELS + "/{id}";
    private static final Duration COUNTS_TIMEOUT = Duration.ofSeconds(15);

    private final ApiSettings settings;
    private final Map<String, Object> kafkaConfig;
    private final Topics topics;
    private final MeterRegistry meters;
    private final Lifecycle lifecycle = new Lifecycle("the API");
    private final Semaphore resultStreams;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final byte[] openApi = openApi();
    private volatile boolean closing;
    private PipelineStore store;
    private ModelStore models;
    private ResultStream results;
    private HttpServer server;

    public ApiServer(
            ApiSettings settings,
            Map<String, Object> kafkaConfig,
            Topics topics,
            MeterRegistry meters) {
        this.settings = settings;
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.topics = topics;
        this.meters = meters;
        this.resultStreams = new Semaphore(settings.maxResultStreams());
    }

    @Override
    public String name() {
        return "api";
    }

    /**
     * Starts reading the pipelines and serving.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    @Override
    public synchronized void start() {
        lifecycle.start();
        store = new PipelineStore(kafkaConfig, topics, settings.kafkaTimeout());
        models = new ModelStore(kafkaConfig, topics, settings.kafkaTimeout());
        results = new ResultStream(kafkaConfig, topics);
        try {
            server =
                    HttpServer.builder("the API")
                            .address(settings.address())
                            .threads(settings.maxResultStreams() + 16)
                            .notFoundHint(" (see /openapi.json)")
                            .requestMetrics(meters, "panoptes.api.requests")
                            .routes(this::routes)
                            .start();
        } catch (UncheckedIOException e) {
            store.close();
            models.close();
            throw e;
        }
        Gauge.builder(
                        "panoptes.api.result.streams",
                        resultStreams,
                        s -> settings.maxResultStreams() - s.availablePermits())
                .description("Clients receiving results as Server-Sent Events")
                .register(meters);
        log.info(
                "API at {} ({}), OpenAPI at {}/openapi.json",
                url(),
                settings.token().isPresent() ? "bearer token required" : "NO AUTHENTICATION",
                url());
    }

    /** The base URL; {@code localhost} when it listens on every interface. */
    public URI url() {
        lifecycle.requireStarted();
        return server.url();
    }

    /** The API's health: up while it can list pipelines. */
    @Override
    public HealthCheck.Health health() {
        if (!lifecycle.isStarted()) {
            return HealthCheck.Health.down(lifecycle.isClosed() ? "stopped" : "not started");
        }
        String waiting = store.waiting();
        return waiting == null
                ? HealthCheck.Health.up(store.list().size() + " pipeline(s)")
                : HealthCheck.Health.down(waiting);
    }

    @Override
    public Optional<String> failure() {
        return Optional
                .empty(); // an API that cannot reach Kafka is unhealthy and answers 503, but runs
        // on
    }

    static HttpProblem notFound(String pipelineId) {
        return new HttpProblem(404, null, "no pipeline " + pipelineId);
    }

    private void routes(RoutesConfig routes) {
        routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
        routes.get("/health", this::answerHealth);
        routes.before("/v1/*", this::authenticate);
        routes.get("/v1/counts", this::proxyCounts);
        routes.get(PIPELINES, this::list);
        routes.post(PIPELINES, this::create);
        routes.get(PIPELINE, ctx -> respondWithVersion(ctx, 200, existing(ctx)));
        routes.put(PIPELINE, this::replace);
        routes.delete(PIPELINE, this::delete);
        routes.get(PIPELINE + "/results", this::streamResults);
        routes.post(PIPELINE + "/{action}", this::action);
        routes.get(MODELS, this::listModels);
        routes.get(MODEL, this::getModel);
        routes.put(MODEL, this::putModel);
        routes.delete(MODEL, this::deleteModel);
    }

    private void listModels(Context ctx) {
        List<Map<String, Object>> all = new ArrayList<>();
        models.list().forEach(spec -> all.add(Map.of("spec", AvroJson.toMap(spec))));
        Exchanges.json(ctx, 200, Map.of("models", all));
    }

    private void getModel(Context ctx) {
        String id = ctx.pathParam("id");
        ModelSpec spec = models.get(id).orElseThrow(() -> ModelStore.notFound(id));
        withVersion(ctx, 200, spec.getVersion(), Map.of("spec", AvroJson.toMap(spec)));
    }

    private void putModel(Context ctx) {
        String id = ctx.pathParam("id");
        Long ifMatch = ifMatch(ctx, false);
        ModelSpec written = models.put(ModelRequest.parse(body(ctx, "model"), id), ifMatch);
        log.info(
                "API: model {} v{} from {}",
                id,
                written.getVersion(),
                SourceUris.redact(written.getSource()));
        withVersion(
                ctx,
                written.getVersion() == 1 ? 201 : 200,
                written.getVersion(),
                Map.of("spec", AvroJson.toMap(written)));
    }

    private void deleteModel(Context ctx) {
        String id = ctx.pathParam("id");
        models.delete(id, ifMatch(ctx, false));
        log.info("API: deleted model {}", id);
        ctx.status(204);
    }

    private void answerHealth(Context ctx) {
        HealthCheck.Health h = health();
        Exchanges.json(
                ctx,
                h.up() ? 200 : 503,
                Map.of("status", h.up() ? "UP" : "DOWN", "detail", h.detail()));
    }

    private void list(Context ctx) {
        List<Map<String, Object>> all = new ArrayList<>();
        store.list().forEach(spec -> all.add(view(spec)));
        Exchanges.json(ctx, 200, Map.of("pipelines", all));
    }

    private void create(Context ctx) {
        PipelineSpec created =
                store.create(PipelineRequest.parse(body(ctx), null, settings.sources()));
        log.info(
                "API: created pipeline {} (v{}) from {}",
                created.getPipelineId(),
                created.getVersion(),
                SourceUris.redact(created.getSource()));
        ctx.header("Location", PIPELINES + "/" + created.getPipelineId());
        respondWithVersion(ctx, 201, created);
    }

    private void replace(Context ctx) {
        String id = ctx.pathParam("id");
        Long ifMatch = ifMatch(ctx, true);
        PipelineSpec requested = PipelineRequest.parse(body(ctx), id, settings.sources());
        PipelineSpec updated =
                store.update(id, ifMatch, current -> PipelineSpec.newBuilder(requested));
        log.info("API: replaced pipeline {} (v{})", id, updated.getVersion());
        respondWithVersion(ctx, 200, updated);
    }

    private void delete(Context ctx) {
        String id = ctx.pathParam("id");
        store.delete(id, ifMatch(ctx, false));
        log.info("API: deleted pipeline {}", id);
        ctx.status(204);
    }

    private void action(Context ctx) {
        String id = ctx.pathParam("id");
        String action = ctx.pathParam("action");
        DesiredState desired =
                switch (action) {
                    case "pause" -> DesiredState.PAUSED;
                    case "resume" -> DesiredState.RUNNING;
                    case "terminate" -> DesiredState.TERMINATED;
                    case "results" ->
                            throw new HttpProblem(
                                    405,
                                    null,
                                    "POST is not allowed on " + ctx.path() + "; use GET");
                    default ->
                            throw new HttpProblem(
                                    404,
                                    null,
                                    "no action '"
                                            + action
                                            + "': use pause, resume, terminate or results");
                };
        PipelineSpec updated =
                store.update(id, ifMatch(ctx, false), spec -> spec.setDesiredState(desired));
        log.info("API: pipeline {} (v{}) set to {}", id, updated.getVersion(), desired);
        respondWithVersion(ctx, 200, updated);
    }

    private PipelineSpec existing(Context ctx) {
        String id = ctx.pathParam("id");
        return store.get(id).orElseThrow(() -> notFound(id));
    }

    private void streamResults(Context ctx) {
        String id = existing(ctx).getPipelineId();
        String lastEventId = ctx.header("Last-Event-ID");
        Map<String, Long> resume =
                lastEventId == null || lastEventId.isBlank()
                        ? null
                        : results.parsePosition(lastEventId.trim());
        String from = Optional.ofNullable(ctx.queryParam("from")).orElse("latest");
        ResultStream.Start start =
                switch (from) {
                    case "latest" -> ResultStream.Start.LATEST;
                    case "earliest" -> ResultStream.Start.EARLIEST;
                    default ->
                            throw HttpProblem.badRequest(
                                    "from", "must be 'latest' or 'earliest', got '" + from + "'");
                };
        if (!resultStreams.tryAcquire()) {
            throw new HttpProblem(
                            503,
                            null,
                            "already "
                                    + settings.maxResultStreams()
                                    + " result streams open: retry later")
                    .withHeader("Retry-After", "5");
        }
        try {
            results.stream(
                    id,
                    resume,
                    start,
                    () -> startEventStream(ctx),
                    ctx.res().getOutputStream(),
                    () -> closing);
        } catch (IOException e) {
            log.debug("API: results client of {} went away: {}", id, e.getMessage());
        } catch (InterruptException e) {
            Thread.currentThread().interrupt(); // the API is stopping
        } catch (KafkaException e) {
            if (!ctx.res().isCommitted()) {
                throw new HttpProblem(
                        503,
                        null,
                        "cannot read the results of " + id + " from Kafka: " + e.getMessage());
            }
            log.warn("API: results stream of {} stopped: {}", id, e.toString());
        } finally {
            resultStreams.release();
        }
    }

    private static void startEventStream(Context ctx) {
        ctx.res().setStatus(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
    }

    private void proxyCounts(Context ctx) {
        URI aggregator =
                settings.aggregator()
                        .orElseThrow(
                                () ->
                                        new HttpProblem(
                                                503,
                                                null,
                                                "no aggregator is configured for counts (start the API with --aggregator-url)"));
        String query = ctx.queryString();
        URI target = aggregator.resolve("/v1/counts" + (query == null ? "" : "?" + query));
        try {
            HttpResponse<byte[]> answer =
                    http.send(
                            HttpRequest.newBuilder(target).timeout(COUNTS_TIMEOUT).GET().build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            ctx.status(answer.statusCode()).contentType("application/json").result(answer.body());
        } catch (IOException e) {
            throw new HttpProblem(
                    502, null, "the aggregator at " + aggregator + " did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpProblem(503, null, "interrupted while asking the aggregator");
        }
    }

    private void authenticate(Context ctx) {
        if (settings.token().isEmpty()) {
            return;
        }
        BearerToken.require(
                settings.token().get(),
                BearerToken.fromHeader(ctx.header("Authorization")),
                "'Authorization: Bearer <token>' header");
    }

    private static Long ifMatch(Context ctx, boolean required) {
        String header = ctx.header("If-Match");
        if (header == null || header.isBlank()) {
            if (required) {
                throw new HttpProblem(
                        428,
                        "If-Match",
                        "If-Match with the version you read (the ETag of GET) is required");
            }
            return null;
        }
        String value = header.trim().replaceFirst("^W/", "");
        if (value.equals("*")) {
            return null;
        }
        try {
            return Long.parseLong(value.replace("\"", ""));
        } catch (NumberFormatException e) {
            throw HttpProblem.badRequest(
                    "If-Match", "'" + header + "' is not a version (an ETag such as \"3\")");
        }
    }

    private JsonNode body(Context ctx) {
        return body(ctx, "pipeline");
    }

    private JsonNode body(Context ctx, String what) {
        String type = ctx.header("Content-Type");
        if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new HttpProblem(
                    415, "Content-Type", "send the " + what + " as application/json, not " + type);
        }
        byte[] bytes = Exchanges.body(ctx, MAX_BODY, "body");
        try {
            return json.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw HttpProblem.badRequest("body", "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new HttpProblem(400, "body", "cannot read the body: " + e.getMessage());
        }
    }

    private Map<String, Object> view(PipelineSpec spec) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("spec", AvroJson.toMap(spec));
        view.put("status", store.status(spec.getPipelineId()).map(AvroJson::toMap).orElse(null));
        return view;
    }

    private void respondWithVersion(Context ctx, int status, PipelineSpec spec) {
        withVersion(ctx, status, spec.getVersion(), view(spec));
    }

    private static void withVersion(Context ctx, int status, long version, Object body) {
        ctx.header("ETag", "\"" + version + "\"");
        Exchanges.json(ctx, status, body);
    }

    private static byte[] openApi() {
        try (InputStream in = ApiServer.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the API's resources");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Ends the result streams, stops serving, closes the Kafka clients; a second call does nothing.
     */
    @Override
    public synchronized void close() {
        boolean started = lifecycle.isStarted();
        if (!lifecycle.close() || !started) {
            return;
        }
        closing = true;
        server.close();
        store.close();
        models.close();
        log.info("API stopped");
    }
}
