package io.panoptes.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.panoptes.avro.DesiredState;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.observability.HealthCheck;
import io.panoptes.schemas.json.AvroJson;
import io.panoptes.schemas.topics.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API over HTTP (JSON; documented by {@code /openapi.json}):
 * <pre>
 * GET    /v1/pipelines                      list, with statuses
 * POST   /v1/pipelines                      create (201, ETag = version)
 * GET    /v1/pipelines/{id}                 spec and status
 * PUT    /v1/pipelines/{id}                 replace the spec (If-Match required)
 * DELETE /v1/pipelines/{id}                 remove
 * POST   /v1/pipelines/{id}/pause|resume|terminate
 * GET    /v1/pipelines/{id}/results         detections, counts and events as Server-Sent Events
 * GET    /v1/counts?stream=...              proxied to the aggregator
 * GET    /health, /openapi.json             without authentication
 * </pre>
 * Owns a socket, threads and Kafka clients: close it.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final int MAX_BODY = 1 << 20;
    private static final String PIPELINES = "/v1/pipelines";

    private final ApiSettings settings;
    private final PipelineStore store;
    private final ResultStream results;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Semaphore resultStreams;
    private final HealthCheck health;
    private final MeterRegistry meters;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final byte[] openApi;

    public ApiServer(ApiSettings settings, Map<String, Object> kafkaConfig, Topics topics, MeterRegistry meters) {
        this.settings = settings;
        this.meters = meters;
        this.openApi = openApi();
        this.resultStreams = new Semaphore(settings.maxResultStreams());
        this.store = new PipelineStore(kafkaConfig, topics, settings.kafkaTimeout());
        this.results = new ResultStream(kafkaConfig, topics);
        this.health = () -> store.waiting() == null ? HealthCheck.Health.up(store.list().size() + " pipeline(s)")
                : HealthCheck.Health.down(store.waiting());
        try {
            this.server = HttpServer.create(settings.address(), 64);
        } catch (IOException e) {
            store.close();
            throw new UncheckedIOException("cannot serve the API on " + settings.address() + ": " + e.getMessage(), e);
        }
        this.executor = Executors.newFixedThreadPool(settings.maxResultStreams() + 16, r -> {
            Thread t = new Thread(r, "api-http");
            t.setDaemon(true);
            return t;
        });
        Gauge.builder("panoptes.api.result.streams", resultStreams, s -> settings.maxResultStreams() - s.availablePermits())
                .description("Clients receiving results as Server-Sent Events").register(meters);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        log.info("API at {} ({}), OpenAPI at {}/openapi.json", url(), settings.token().isPresent()
                ? "bearer token required" : "NO AUTHENTICATION", url());
    }

    /** The base URL; {@code localhost} when it listens on every interface. */
    public URI url() {
        return io.panoptes.observability.ObservabilityServer.baseUrl(server);
    }

    /** The API's health: up while it can list pipelines. */
    public HealthCheck health() {
        return health;
    }

    private void handle(HttpExchange exchange) {
        String route = "unmatched";
        int status;
        try {
            route = route(exchange);
            status = exchange.getResponseCode();
        } catch (ApiException e) {
            status = e.status();
            error(exchange, e);
        } catch (RuntimeException e) {
            status = 500;
            log.warn("API: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            error(exchange, new ApiException(500, null, "unexpected error: " + e));
        } finally {
            exchange.close();
        }
        meters.counter("panoptes.api.requests", "method", exchange.getRequestMethod(), "route", route,
                "status", Integer.toString(status)).increment();
    }

    /** Dispatches the request; returns the route's name for metrics. */
    private String route(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/openapi.json") && method.equals("GET")) {
            send(exchange, 200, "application/json", openApi, Map.of());
            return "openapi";
        }
        if (path.equals("/health") && method.equals("GET")) {
            HealthCheck.Health h = health.check();
            respond(exchange, h.up() ? 200 : 503, Map.of("status", h.up() ? "UP" : "DOWN", "detail", h.detail()));
            return "health";
        }
        if (!path.startsWith("/v1/")) {
            throw new ApiException(404, null, "no such endpoint: " + method + " " + path + " (see /openapi.json)");
        }
        authenticate(exchange);
        if (path.equals("/v1/counts")) {
            requireMethod(method, "GET");
            proxyCounts(exchange);
            return "counts";
        }
        List<String> parts = segments(path);
        if (parts.size() < 2 || !parts.get(1).equals("pipelines") || parts.size() > 4) {
            throw new ApiException(404, null, "no such endpoint: " + method + " " + path + " (see /openapi.json)");
        }
        if (parts.size() == 2) {
            return pipelines(exchange, method);
        }
        String id = parts.get(2);
        if (parts.size() == 3) {
            return pipeline(exchange, method, id);
        }
        return action(exchange, method, id, parts.get(3));
    }

    private String pipelines(HttpExchange exchange, String method) {
        if (method.equals("GET")) {
            List<Map<String, Object>> all = new ArrayList<>();
            store.list().forEach(spec -> all.add(view(spec)));
            respond(exchange, 200, Map.of("pipelines", all));
            return "list";
        }
        requireMethod(method, "GET", "POST");
        PipelineSpec created = store.create(PipelineRequest.parse(body(exchange), null, settings.sources()));
        log.info("API: created pipeline {} (v{}) from {}", created.getPipelineId(), created.getVersion(),
                io.panoptes.ingest.source.SourceSpec.redact(created.getSource()));
        exchange.getResponseHeaders().set("Location", PIPELINES + "/" + created.getPipelineId());
        respondWithVersion(exchange, 201, created);
        return "create";
    }

    private String pipeline(HttpExchange exchange, String method, String id) {
        switch (method) {
            case "GET" -> {
                respondWithVersion(exchange, 200, store.get(id).orElseThrow(() -> ApiException.notFound(id)));
                return "get";
            }
            case "PUT" -> {
                Long ifMatch = ifMatch(exchange, true);
                PipelineSpec requested = PipelineRequest.parse(body(exchange), id, settings.sources());
                PipelineSpec updated = store.update(id, ifMatch, current -> PipelineSpec.newBuilder(requested));
                log.info("API: replaced pipeline {} (v{})", id, updated.getVersion());
                respondWithVersion(exchange, 200, updated);
                return "replace";
            }
            case "DELETE" -> {
                store.delete(id, ifMatch(exchange, false));
                log.info("API: deleted pipeline {}", id);
                send(exchange, 204, null, null, Map.of());
                return "delete";
            }
            default -> throw new ApiException(405, null, method + " is not allowed on " + PIPELINES + "/{id}; use GET, PUT or DELETE");
        }
    }

    private String action(HttpExchange exchange, String method, String id, String action) {
        if (action.equals("results")) {
            requireMethod(method, "GET");
            streamResults(exchange, id);
            return "results";
        }
        DesiredState desired = switch (action) {
            case "pause" -> DesiredState.PAUSED;
            case "resume" -> DesiredState.RUNNING;
            case "terminate" -> DesiredState.TERMINATED;
            default -> throw new ApiException(404, null, "no action '" + action + "': use pause, resume, terminate or results");
        };
        requireMethod(method, "POST");
        PipelineSpec updated = store.update(id, ifMatch(exchange, false), spec -> spec.setDesiredState(desired));
        log.info("API: pipeline {} (v{}) set to {}", id, updated.getVersion(), desired);
        respondWithVersion(exchange, 200, updated);
        return action;
    }

    private void streamResults(HttpExchange exchange, String id) {
        store.get(id).orElseThrow(() -> ApiException.notFound(id));
        Map<String, String> query = io.panoptes.observability.QueryString.parse(exchange.getRequestURI());
        String lastEventId = exchange.getRequestHeaders().getFirst("Last-Event-ID");
        Map<String, Long> resume = lastEventId == null || lastEventId.isBlank() ? null : results.parsePosition(lastEventId.trim());
        ResultStream.Start start = switch (query.getOrDefault("from", "latest")) {
            case "latest" -> ResultStream.Start.LATEST;
            case "earliest" -> ResultStream.Start.EARLIEST;
            default -> throw ApiException.badRequest("from", "must be 'latest' or 'earliest', got '" + query.get("from") + "'");
        };
        if (!resultStreams.tryAcquire()) {
            throw new ApiException(503, null, "already " + settings.maxResultStreams() + " result streams open: retry later");
        }
        boolean[] started = {false};
        try {
            results.stream(id, resume, start, () -> {
                exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
                exchange.getResponseHeaders().set("Cache-Control", "no-cache");
                exchange.sendResponseHeaders(200, 0);
                started[0] = true;
            }, exchange.getResponseBody());
        } catch (IOException e) {
            log.debug("API: results client of {} went away: {}", id, e.getMessage());
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt(); // the API is stopping
        } catch (org.apache.kafka.common.KafkaException e) {
            if (!started[0]) {
                throw new ApiException(503, null, "cannot read the results of " + id + " from Kafka: " + e.getMessage());
            }
            log.warn("API: results stream of {} stopped: {}", id, e.toString());
        } finally {
            resultStreams.release();
        }
    }

    private void proxyCounts(HttpExchange exchange) {
        URI aggregator = settings.aggregator().orElseThrow(() -> new ApiException(503, null,
                "no aggregator is configured for counts (start the API with --aggregator-url)"));
        String query = exchange.getRequestURI().getRawQuery();
        URI target = aggregator.resolve("/v1/counts" + (query == null ? "" : "?" + query));
        try {
            HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(15)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            send(exchange, answer.statusCode(), "application/json", answer.body(), Map.of());
        } catch (IOException e) {
            throw new ApiException(502, null, "the aggregator at " + aggregator + " did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, null, "interrupted while asking the aggregator");
        }
    }

    private void authenticate(HttpExchange exchange) {
        if (settings.token().isEmpty()) {
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        byte[] expected = ("Bearer " + settings.token().get()).getBytes(StandardCharsets.UTF_8);
        if (header == null || !MessageDigest.isEqual(expected, header.trim().getBytes(StandardCharsets.UTF_8))) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"panoptes\"");
            throw new ApiException(401, "Authorization", header == null
                    ? "missing 'Authorization: Bearer <token>' header" : "the bearer token is not valid");
        }
    }

    private static Long ifMatch(HttpExchange exchange, boolean required) {
        String header = exchange.getRequestHeaders().getFirst("If-Match");
        if (header == null || header.isBlank()) {
            if (required) {
                throw new ApiException(428, "If-Match", "If-Match with the version you read (the ETag of GET) is required");
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
            throw ApiException.badRequest("If-Match", "'" + header + "' is not a version (an ETag such as \"3\")");
        }
    }

    private static void requireMethod(String method, String... allowed) {
        if (!List.of(allowed).contains(method)) {
            throw new ApiException(405, null, method + " is not allowed here; use " + String.join(" or ", allowed));
        }
    }

    private static List<String> segments(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.substring(1).split("/")) {
            if (!part.isEmpty()) {
                parts.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
            }
        }
        return parts;
    }

    private JsonNode body(HttpExchange exchange) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(415, "Content-Type", "send the pipeline as application/json, not " + type);
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                in.transferTo(OutputStream.nullOutputStream()); // read the rest, so the client hears the answer
                throw new ApiException(413, "body", "the body is larger than " + MAX_BODY + " bytes");
            }
            return json.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("body", "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiException(400, "body", "cannot read the body: " + e.getMessage());
        }
    }

    private Map<String, Object> view(PipelineSpec spec) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("spec", AvroJson.toMap(spec));
        view.put("status", store.status(spec.getPipelineId()).map(AvroJson::toMap).orElse(null));
        return view;
    }

    private void respondWithVersion(HttpExchange exchange, int status, PipelineSpec spec) {
        exchange.getResponseHeaders().set("ETag", "\"" + spec.getVersion() + "\"");
        respond(exchange, status, view(spec));
    }

    private void respond(HttpExchange exchange, int status, Object body) {
        try {
            send(exchange, status, "application/json", json.writeValueAsBytes(body), Map.of());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void error(HttpExchange exchange, ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.getMessage());
        if (e.field() != null) {
            body.put("field", e.field());
        }
        try {
            respond(exchange, e.status(), body);
        } catch (UncheckedIOException | IllegalStateException ignored) {
            // the response was already under way (a result stream): nothing more to say
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body, Map<String, String> headers) {
        try {
            if (type != null) {
                exchange.getResponseHeaders().set("Content-Type", type);
            }
            headers.forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(status, body == null || body.length == 0 ? -1 : body.length);
            if (body != null && body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        store.close();
        log.info("API stopped");
    }
}
