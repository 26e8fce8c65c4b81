package io.panoptes.runtime.observability;

import io.javalin.http.Context;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.panoptes.runtime.http.Exchanges;
import io.panoptes.runtime.http.HttpServer;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoints every role serves: {@code GET /metrics} (Prometheus text format, from a
 * Micrometer registry with JVM metrics bound) and {@code GET /health} (JSON; 200 when every
 * registered check is up, 503 otherwise, naming each). Owns a socket and threads: close it
 * (idempotent).
 */
public final class ObservabilityServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ObservabilityServer.class);

    private final PrometheusMeterRegistry registry;
    private final Map<String, HealthCheck> checks = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private boolean closed;

    private ObservabilityServer(String role, InetSocketAddress address) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("role", role);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        try {
            this.server =
                    HttpServer.builder("metrics and health")
                            .address(address)
                            .threads(4)
                            .routes(
                                    routes ->
                                            routes.get("/metrics", this::metrics)
                                                    .get("/health", this::health))
                            .start();
        } catch (UncheckedIOException e) {
            gcMetrics.close();
            registry.close();
            throw e;
        }
    }

    /**
     * Serves the endpoints of {@code role} on {@code address} (port 0 picks a free one).
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public static ObservabilityServer start(String role, InetSocketAddress address) {
        ObservabilityServer server = new ObservabilityServer(role, address);
        log.info("{} metrics at {}/metrics, health at {}/health", role, server.url(), server.url());
        return server;
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
        return server.url();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            server.close();
        }
        gcMetrics.close();
        registry.close();
    }

    private void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(registry.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void health(Context ctx) {
        Map<String, Object> components = new LinkedHashMap<>();
        boolean up = true;
        for (Map.Entry<String, HealthCheck> entry : new TreeMap<>(checks).entrySet()) {
            HealthCheck.Health health;
            try {
                health = entry.getValue().check();
            } catch (RuntimeException e) {
                health = HealthCheck.Health.down("check failed: " + e);
            }
            up &= health.up();
            components.put(
                    entry.getKey(),
                    Map.of("status", health.up() ? "UP" : "DOWN", "detail", health.detail()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("components", components);
        Exchanges.json(ctx, up ? 200 : 503, body);
    }
}
