package io.panoptes.aggregator.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.panoptes.aggregator.AggregatorSettings;
import io.panoptes.aggregator.geometry.Geometry;
import io.panoptes.aggregator.state.AggregateStore;
import io.panoptes.aggregator.state.StoredStates;
import io.panoptes.aggregator.state.StreamAggregate;
import io.panoptes.aggregator.topology.AggregatorTopology;
import io.panoptes.avro.WindowCount;
import io.panoptes.observability.QueryString;
import io.panoptes.schemas.topics.CountsKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/counts?stream=…[&label=…][&zone=…][&from=…][&to=…]}: a stream's window counts,
 * final ones from the counts store and running ones from the stream's live state, each marked
 * {@code final} or not. State is partitioned by stream id, so the instance that owns the stream
 * answers: any other forwards the request there (interactive queries). {@code from}/{@code to} are
 * ISO-8601 instants or epoch millis and select windows that overlap [from, to). Owns a socket and
 * threads: close it.
 */
public final class CountsQueryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CountsQueryServer.class);
    private static final String PATH = "/v1/counts";
    private static final String FORWARDED = "forwarded";

    private volatile KafkaStreams streams;
    private volatile AggregatorSettings settings;
    private final HostInfo self;
    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    /**
     * Binds {@code address} now (so that its port is known before Kafka Streams starts: it is the
     * instance's application.server); answers 503 until {@link #serve} is called.
     *
     * @param advertisedHost the host other instances reach this one at
     */
    public CountsQueryServer(InetSocketAddress address, String advertisedHost) {
        try {
            this.server = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve counts queries on " + address + ": " + e.getMessage(), e);
        }
        this.self = new HostInfo(advertisedHost, server.getAddress().getPort());
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "counts-query");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts answering from {@code streams}. */
    public void serve(KafkaStreams streams, AggregatorSettings settings) {
        this.settings = settings;
        this.streams = streams;
        log.info("counts queries at http://{}:{}{}", self.host(), self.port(), PATH);
    }

    /** This instance as other instances reach it: its application.server. */
    public HostInfo self() {
        return self;
    }

    /** The address this server is bound to (with the real port when 0 was asked). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) {
        try {
            URI uri = exchange.getRequestURI();
            if (!exchange.getRequestMethod().equals("GET") || !uri.getPath().equals(PATH)) {
                respond(exchange, 404, error("use GET " + PATH + "?stream=<streamId>[&label=][&zone=][&from=][&to=]"));
                return;
            }
            Map<String, String> query = QueryString.parse(uri);
            Query q = Query.of(query);
            KafkaStreams streams = this.streams;
            if (streams == null) {
                respond(exchange, 503, error("the aggregator is starting: retry shortly"));
                return;
            }
            KeyQueryMetadata owner = streams.queryMetadataForKey(AggregatorTopology.STATE_STORE, q.stream(), new StringSerializer());
            if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
                respond(exchange, 503, error("the aggregator is rebalancing: retry shortly"));
            } else if (owner.activeHost().equals(self) || owner.activeHost().equals(HostInfo.unavailable())) {
                List<Map<String, Object>> rows = new ArrayList<>();
                local(streams, settings, q).forEach(count -> rows.add(row(count)));
                respond(exchange, 200, Map.of("stream", q.stream(), "answeredBy", self.host() + ":" + self.port(), "counts", rows));
            } else if (query.containsKey(FORWARDED)) {
                respond(exchange, 503, error("stream " + q.stream() + " moved while the request was forwarded: retry"));
            } else {
                forward(exchange, owner.activeHost(), uri);
            }
        } catch (BadRequest e) {
            respond(exchange, 400, error(e.getMessage()));
        } catch (InvalidStateStoreException e) {
            respond(exchange, 503, error("the stream's state is not queryable right now (" + e.getMessage() + "): retry shortly"));
        } catch (RuntimeException e) {
            log.warn("counts query failed", e);
            respond(exchange, 500, error("unexpected error: " + e));
        }
    }

    /**
     * The window counts of {@code stream} that this instance holds (it must own the stream), final
     * and running, in key order.
     */
    public static List<WindowCount> localCounts(KafkaStreams streams, AggregatorSettings settings, String stream) {
        return local(streams, settings, Query.of(Map.of("stream", stream)));
    }

    /** The stream's counts held here: final and early-update rows from the counts store, overlaid with its open windows. */
    private static List<WindowCount> local(KafkaStreams streams, AggregatorSettings settings, Query q) {
        Map<String, WindowCount> rows = new TreeMap<>();
        ReadOnlyKeyValueStore<String, WindowCount> counts = streams.store(StoreQueryParameters.fromNameAndType(
                AggregatorTopology.COUNTS_STORE, QueryableStoreTypes.<String, WindowCount>keyValueStore()));
        try (KeyValueIterator<String, WindowCount> matching = counts.prefixScan(q.stream() + "/", new StringSerializer())) {
            matching.forEachRemaining(entry -> {
                if (entry.value != null && q.matches(entry.value)) {
                    rows.put(entry.key, entry.value);
                }
            });
        }
        StoredStates states = streams.store(StoreQueryParameters.fromNameAndType(
                AggregatorTopology.STATE_STORE, new AggregateStore.Queryable()));
        StreamAggregate.State state = states.get(q.stream()); // as of the last commit
        if (state != null) {
            for (WindowCount running : StreamAggregate.restore(settings.streamSettings(), state, Geometry.NONE).running()) {
                if (q.matches(running)) {
                    rows.put(new CountsKey(running.getStreamId(), running.getLabel(), running.getZone(), running.getWindowStart())
                            .toString(), running);
                }
            }
        }
        return new ArrayList<>(rows.values());
    }

    private void forward(HttpExchange exchange, HostInfo owner, URI uri) {
        String target = "http://" + owner.host() + ":" + owner.port() + PATH + "?" + uri.getRawQuery() + "&" + FORWARDED + "=1";
        try {
            HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            send(exchange, answer.statusCode(), answer.body());
        } catch (IOException e) {
            respond(exchange, 502, error("instance " + owner.host() + ":" + owner.port() + " owns stream but cannot be reached: "
                    + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(exchange, 503, error("interrupted"));
        }
    }

    private static Map<String, Object> row(WindowCount c) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("streamId", c.getStreamId());
        row.put("pipelineId", c.getPipelineId());
        row.put("label", c.getLabel());
        row.put("zone", c.getZone());
        row.put("windowStart", c.getWindowStart().toString());
        row.put("windowEnd", c.getWindowEnd().toString());
        row.put("uniqueTracks", c.getUniqueTracks());
        row.put("maxConcurrent", c.getMaxConcurrent());
        row.put("meanPerFrame", c.getMeanPerFrame());
        row.put("lineIn", c.getLineIn());
        row.put("lineOut", c.getLineOut());
        row.put("framesSeen", c.getFramesSeen());
        row.put("framesSkipped", c.getFramesSkipped());
        row.put("final", c.getFinal$());
        return row;
    }

    /** What a request asks for, validated. */
    private record Query(String stream, String label, String zone, Instant from, Instant to) {

        static Query of(Map<String, String> parameters) {
            String stream = parameters.get("stream");
            if (stream == null || stream.isBlank()) {
                throw new BadRequest("query parameter 'stream' is required");
            }
            Instant from = instant(parameters, "from", Instant.EPOCH);
            Instant to = instant(parameters, "to", Instant.ofEpochMilli(Long.MAX_VALUE / 2));
            if (!from.isBefore(to)) {
                throw new BadRequest("'from' (" + from + ") must be before 'to' (" + to + ")");
            }
            return new Query(stream, parameters.get("label"), parameters.get("zone"), from, to);
        }

        boolean matches(WindowCount c) {
            return c.getStreamId().equals(stream)
                    && (label == null || label.equals(c.getLabel()))
                    && (zone == null || zone.equals(c.getZone() == null ? CountsKey.NO_ZONE : c.getZone()))
                    && c.getWindowEnd().isAfter(from) && c.getWindowStart().isBefore(to);
        }

        private static Instant instant(Map<String, String> parameters, String name, Instant fallback) {
            String value = parameters.get(name);
            if (value == null) {
                return fallback;
            }
            try {
                return value.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(value)) : Instant.parse(value);
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new BadRequest("query parameter '" + name + "' must be an ISO-8601 instant or epoch millis, got '" + value + "'");
            }
        }
    }

    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /** A query string for {@code stream} (and optional filters), for clients. */
    public static String path(String stream) {
        return PATH + "?stream=" + URLEncoder.encode(stream, StandardCharsets.UTF_8);
    }

    private static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }

    private void respond(HttpExchange exchange, int status, Object body) {
        try {
            send(exchange, status, json.writeValueAsBytes(body));
        } catch (IOException e) {
            log.debug("cannot encode the answer: {}", e.toString());
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        } catch (IOException e) {
            log.debug("client went away before the answer: {}", e.toString());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
