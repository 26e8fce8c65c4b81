package io.panoptes.observability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoints every role serves: {@code GET /metrics} (Prometheus text format, from a
 * Micrometer registry with JVM metrics bound) and {@code GET /health} (JSON; 200 when every
 * registered check is up, 503 otherwise, naming each). Owns a socket and one thread: close it.
 */
public final class ObservabilityServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ObservabilityServer.class);

    private final PrometheusMeterRegistry registry;
    private final Map<String, HealthCheck> checks = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectMapper json = new ObjectMapper();
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private boolean closed;

    private ObservabilityServer(String role, InetSocketAddress address) throws IOException {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("role", role);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        this.server = HttpServer.create(address, 0);
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "observability-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", this::metrics);
        server.createContext("/health", this::health);
        server.start();
    }

    /**
     * Serves the endpoints of {@code role} on {@code address} (port 0 picks a free one).
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public static ObservabilityServer start(String role, InetSocketAddress address) {
        try {
            ObservabilityServer server = new ObservabilityServer(role, address);
            log.info("{} metrics at {}/metrics, health at {}/health", role, server.url(), server.url());
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics and health on " + address + ": " + e.getMessage(), e);
        }
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Adds (or replaces) a named check. */
    public void addCheck(String name, HealthCheck check) {
        checks.put(name, check);
    }

    public void removeCheck(String name) {
        checks.remove(name);
    }

    /** The base URL; {@code localhost} when it listens on every interface. */
    public URI url() {
        return baseUrl(server);
    }

    /** The base URL of {@code server}; {@code localhost} when it listens on every interface. */
    public static URI baseUrl(HttpServer server) {
        InetSocketAddress address = server.getAddress();
        String host = address.getAddress().isAnyLocalAddress() ? "localhost" : address.getAddress().getHostAddress();
        return URI.create("http://" + host + ":" + address.getPort());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        executor.shutdownNow();
        gcMetrics.close();
        registry.close();
    }

    private void metrics(HttpExchange exchange) throws IOException {
        respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void health(HttpExchange exchange) throws IOException {
        Map<String, Object> components = new LinkedHashMap<>();
        boolean up = true;
        for (Map.Entry<String, HealthCheck> entry : new java.util.TreeMap<>(checks).entrySet()) {
            HealthCheck.Health health;
            try {
                health = entry.getValue().check();
            } catch (RuntimeException e) {
                health = HealthCheck.Health.down("check failed: " + e);
            }
            up &= health.up();
            components.put(entry.getKey(), Map.of("status", health.up() ? "UP" : "DOWN", "detail", health.detail()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("components", components);
        respond(exchange, up ? 200 : 503, "application/json", json.writeValueAsBytes(body));
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }
}
