package io.panoptes.runtime.http;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP layer of every Panoptes server (the API, counts queries, inference, metrics and health,
 * the schema registry, MJPEG), on Javalin and Jetty, with one set of conventions: problems ({@link
 * HttpProblem}), unknown routes and wrong methods are answered with {@code {"error", "field"}}; an
 * unexpected failure is logged here and answered 500 without its stack trace; a connection that
 * sends nothing for the idle timeout is closed, so a slow client cannot hold a thread; requests are
 * counted by route (never by a raw path or method a client invents).
 *
 * <p>Owns a socket and a thread pool: close it (idempotent). Thread-safe.
 */
public final class HttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    private static final int INPUT_BUFFER_BYTES = 128 * 1024;
    private static final Set<String> METHODS =
            Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

    private final String name;
    private final Javalin app;
    private final InetSocketAddress address;
    private boolean closed;

    private HttpServer(Builder builder) {
        this.name = builder.name;
        this.app = Javalin.create(config -> configure(config, builder));
        try {
            app.start();
        } catch (RuntimeException e) {
            stopQuietly();
            throw new UncheckedIOException(
                    new IOException(
                            "cannot serve "
                                    + name
                                    + " on "
                                    + builder.address
                                    + ": "
                                    + rootMessage(e),
                            e));
        }
        this.address = new InetSocketAddress(builder.address.getAddress(), app.port());
    }

    /** A server named {@code name} in logs, errors and thread names (e.g. {@code api}). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The base URL; {@code localhost} when it listens on every interface. */
    public URI url() {
        InetAddress host = address.getAddress();
        String text =
                host == null || host.isAnyLocalAddress() ? "localhost" : host.getHostAddress();
        return URI.create(
                "http://"
                        + (text.contains(":") ? "[" + text + "]" : text)
                        + ":"
                        + address.getPort());
    }

    /** The address it is bound to, with the real port when 0 was asked. */
    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopQuietly();
    }

    private void stopQuietly() {
        try {
            app.stop();
        } catch (RuntimeException e) {
            log.warn("{}: HTTP server did not stop cleanly: {}", name, e.toString());
        }
    }

    private static void configure(JavalinConfig config, Builder builder) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.startup.startupWatcherEnabled = false;
        config.http.prefer405over404 = builder.answer405;
        config.http.maxRequestSize = builder.maxRequestBytes;
        config.router.ignoreTrailingSlashes = true;
        QueuedThreadPool threads =
                new QueuedThreadPool(builder.maxThreads, Math.min(2, builder.maxThreads), 60_000);
        threads.setName(builder.name.replace(' ', '-') + "-http");
        threads.setDaemon(true);
        threads.setStopTimeout(2_000); // then threads still busy (a result stream) are interrupted
        config.jetty.threadPool = threads;
        // a plain server: Javalin's default adds a statistics handler and a low-resource monitor to
        // every request
        Server jetty = new Server(threads);
        jetty.setStopTimeout(0);
        config.unsafe.jettyInternal.server = jetty;
        config.jetty.addConnector((server, http) -> connector(server, http, builder));
        RoutesConfig routes = config.routes;
        ErrorBody errors = builder.errorBody;
        routes.exception(
                HttpProblem.class,
                (e, ctx) -> answer(ctx, errors, e.status(), e.getMessage(), e.field(), e));
        routes.exception(
                HttpResponseException.class,
                (e, ctx) -> answerJavalin(ctx, errors, e, builder.notFoundHint));
        routes.exception(Exception.class, (e, ctx) -> unexpected(ctx, errors, e, builder.name));
        builder.routes.forEach(r -> r.accept(routes));
        if (builder.meters != null) {
            config.requestLogger.http((ctx, ms) -> count(builder, ctx));
        }
    }

    private static void answer(
            Context ctx,
            ErrorBody errors,
            int status,
            String message,
            String field,
            HttpProblem problem) {
        if (ctx.res().isCommitted()) {
            return; // a stream was under way: nothing more can be said
        }
        if (problem != null) {
            problem.headers().forEach(ctx::header);
        }
        Exchanges.json(ctx, status, errors.of(status, message, field));
    }

    private static void answerJavalin(
            Context ctx, ErrorBody errors, HttpResponseException e, String hint) {
        String message =
                switch (e.getStatus()) {
                    case 404 -> "no such endpoint: " + ctx.method() + " " + ctx.path() + hint;
                    case 405 ->
                            ctx.method()
                                    + " is not allowed on "
                                    + ctx.path()
                                    + "; use "
                                    + String.join(" or ", e.getDetails().values());
                    default -> e.getMessage();
                };
        answer(ctx, errors, e.getStatus(), message, null, null);
    }

    private static void unexpected(Context ctx, ErrorBody errors, Exception e, String name) {
        log.warn("{}: {} {} failed", name, ctx.method(), ctx.path(), e);
        answer(ctx, errors, 500, "unexpected error: " + e, null, null);
    }

    private static void count(Builder builder, Context ctx) {
        String method = METHODS.contains(ctx.method().name()) ? ctx.method().name() : "OTHER";
        Endpoint matched = ctx.endpoints().lastHttpEndpoint();
        String route = matched == null || matched.path.isEmpty() ? "unmatched" : matched.path;
        builder.meters
                .counter(
                        builder.requestMetric,
                        "method",
                        method,
                        "route",
                        route,
                        "status",
                        Integer.toString(ctx.statusCode()))
                .increment();
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    /**
     * The one connector; its idle timeout also bounds how long a client may take to send a request.
     */
    private static ServerConnector connector(
            Server server, HttpConfiguration http, Builder builder) {
        http.setSendServerVersion(false);
        HttpConnectionFactory factory = new HttpConnectionFactory(http);
        // uploads (images of hundreds of KB) are read in large chunks: each fill of the default 8
        // KB buffer
        // is a hand-off between Jetty's threads and the reading one
        factory.setInputBufferSize(INPUT_BUFFER_BYTES);
        ServerConnector connector = new ServerConnector(server, factory);
        connector.setHost(builder.address.getHostString());
        connector.setPort(builder.address.getPort());
        connector.setIdleTimeout(builder.idleTimeout.toMillis());
        return connector;
    }

    /** The JSON body of an error answer. */
    @FunctionalInterface
    public interface ErrorBody {
        /**
         * Panoptes' one error body: {@code {"error": message, "field": field}}, {@code field} only
         * when known.
         */
        ErrorBody PANOPTES = (status, message, field) -> Exchanges.errorBody(message, field);

        Object of(int status, String message, String field);
    }

    /** How a server is set up; {@link #start()} binds it. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private InetSocketAddress address =
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private int maxThreads = 16;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private long maxRequestBytes = 1 << 20;
        private String notFoundHint = "";
        private ErrorBody errorBody = ErrorBody.PANOPTES;
        private boolean answer405 = true;
        private MeterRegistry meters;
        private String requestMetric;
        private final List<Consumer<RoutesConfig>> routes = new ArrayList<>();

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("an HTTP server needs a name");
            }
            this.name = name;
        }

        /** Where to listen; port 0 picks a free one (the default: loopback, any port). */
        public Builder address(InetSocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /** Most threads serving requests at once (long streams hold one each); at least 4. */
        public Builder threads(int maxThreads) {
            if (maxThreads < 4 || maxThreads > 1024) {
                throw new IllegalArgumentException(
                        name + ": HTTP threads must be in [4, 1024], got " + maxThreads);
            }
            this.maxThreads = maxThreads;
            return this;
        }

        /** A connection that sends and receives nothing this long is closed (default 30 s). */
        public Builder idleTimeout(Duration idleTimeout) {
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException(
                        name + ": idle timeout must be positive, got " + idleTimeout);
            }
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * Largest body Javalin's own body readers accept (default 1 MiB); {@link Exchanges#body}
         * has its own bound.
         */
        public Builder maxRequestBytes(long maxRequestBytes) {
            this.maxRequestBytes = maxRequestBytes;
            return this;
        }

        /** Appended to "no such endpoint: METHOD /path", e.g. {@code " (see /openapi.json)"}. */
        public Builder notFoundHint(String hint) {
            this.notFoundHint = Objects.requireNonNull(hint, "hint");
            return this;
        }

        /**
         * Answers errors with another body than Panoptes' own: only for a server that speaks
         * another product's protocol (the schema registry speaks Confluent's {@code {"error_code",
         * "message"}}).
         */
        public Builder errorBody(ErrorBody errorBody) {
            this.errorBody = Objects.requireNonNull(errorBody, "errorBody");
            return this;
        }

        /**
         * Answers a known path with the wrong method 404 with the hint, like an unknown path,
         * rather than 405.
         */
        public Builder wrongMethodIsNotFound() {
            this.answer405 = false;
            return this;
        }

        /**
         * Counts requests in {@code metric}, tagged method, route (the matched path template) and
         * status.
         */
        public Builder requestMetrics(MeterRegistry meters, String metric) {
            this.meters = Objects.requireNonNull(meters, "meters");
            this.requestMetric = Objects.requireNonNull(metric, "metric");
            return this;
        }

        /** Adds routes (Javalin's {@code get}, {@code post}, ...); may be called more than once. */
        public Builder routes(Consumer<RoutesConfig> routes) {
            this.routes.add(Objects.requireNonNull(routes, "routes"));
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws UncheckedIOException naming the server and the address when it cannot be bound
         */
        public HttpServer start() {
            return new HttpServer(this);
        }
    }
}
