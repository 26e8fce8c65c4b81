package io.panoptes.aggregator.query;

import io.javalin.http.Context;
import io.panoptes.aggregator.AggregatorSettings;
import io.panoptes.aggregator.internal.state.AggregateStore;
import io.panoptes.aggregator.internal.state.StoredStates;
import io.panoptes.aggregator.internal.state.StreamAggregate;
import io.panoptes.aggregator.topology.AggregatorTopology;
import io.panoptes.avro.WindowCount;
import io.panoptes.pipeline.geometry.Geometry;
import io.panoptes.runtime.http.Exchanges;
import io.panoptes.runtime.http.HttpProblem;
import io.panoptes.runtime.http.HttpServer;
import io.panoptes.schemas.topics.CountsKey;
import java.io.IOException;
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
 * ISO-8601 instants or epoch millis and select windows that overlap [from, to). Refusals are {@code
 * {"error", "field"}}. Owns a socket and threads: close it.
 */
public final class CountsQueryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CountsQueryServer.class);
    private static final String PATH = "/v1/counts";
    private static final String FORWARDED = "forwarded";

    private volatile KafkaStreams streams;
    private volatile AggregatorSettings settings;
    private final HostInfo self;
    private final HttpServer server;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Binds {@code address} now (so that its port is known before Kafka Streams starts: it is the
     * instance's application.server); answers 503 until {@link #serve} is called.
     *
     * @param advertisedHost the host other instances reach this one at
     * @throws java.io.UncheckedIOException naming the address when it cannot be bound
     */
    public CountsQueryServer(InetSocketAddress address, String advertisedHost) {
        this.server =
                HttpServer.builder("counts queries")
                        .address(address)
                        .threads(8)
                        .notFoundHint(
                                ": use GET "
                                        + PATH
                                        + "?stream=<streamId>[&label=][&zone=][&from=][&to=]")
                        .routes(routes -> routes.get(PATH, this::handle))
                        .start();
        this.self = new HostInfo(advertisedHost, server.port());
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
        return server.address();
    }

    private void handle(Context ctx) {
        Query q = Query.of(ctx.queryParamMap());
        KafkaStreams streams = this.streams;
        if (streams == null) {
            throw new HttpProblem(503, null, "the aggregator is starting: retry shortly");
        }
        try {
            KeyQueryMetadata owner =
                    streams.queryMetadataForKey(
                            AggregatorTopology.STATE_STORE, q.stream(), new StringSerializer());
            if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
                throw new HttpProblem(503, null, "the aggregator is rebalancing: retry shortly");
            } else if (owner.activeHost().equals(self)
                    || owner.activeHost().equals(HostInfo.unavailable())) {
                List<Map<String, Object>> rows = new ArrayList<>();
                local(streams, settings, q).forEach(count -> rows.add(row(count)));
                Exchanges.json(
                        ctx,
                        200,
                        Map.of(
                                "stream",
                                q.stream(),
                                "answeredBy",
                                self.host() + ":" + self.port(),
                                "counts",
                                rows));
            } else if (ctx.queryParam(FORWARDED) != null) {
                throw new HttpProblem(
                        503,
                        null,
                        "stream " + q.stream() + " moved while the request was forwarded: retry");
            } else {
                forward(ctx, owner.activeHost());
            }
        } catch (InvalidStateStoreException e) {
            throw new HttpProblem(
                    503,
                    null,
                    "the stream's state is not queryable right now ("
                            + e.getMessage()
                            + "): retry shortly");
        }
    }

    /**
     * The window counts of {@code stream} that this instance holds (it must own the stream), final
     * and running, in key order.
     */
    public static List<WindowCount> localCounts(
            KafkaStreams streams, AggregatorSettings settings, String stream) {
        return local(streams, settings, Query.of(Map.of("stream", List.of(stream))));
    }

    /**
     * The stream's counts held here: final and early-update rows from the counts store, overlaid
     * with its open windows.
     */
    private static List<WindowCount> local(
            KafkaStreams streams, AggregatorSettings settings, Query q) {
        Map<String, WindowCount> rows = new TreeMap<>();
        ReadOnlyKeyValueStore<String, WindowCount> counts =
                streams.store(
                        StoreQueryParameters.fromNameAndType(
                                AggregatorTopology.COUNTS_STORE,
                                QueryableStoreTypes.<String, WindowCount>keyValueStore()));
        try (KeyValueIterator<String, WindowCount> matching =
                counts.prefixScan(q.stream() + "/", new StringSerializer())) {
            matching.forEachRemaining(
                    entry -> {
                        if (entry.value != null && q.matches(entry.value)) {
                            rows.put(entry.key, entry.value);
                        }
                    });
        }
        StoredStates states =
                streams.store(
                        StoreQueryParameters.fromNameAndType(
                                AggregatorTopology.STATE_STORE, new AggregateStore.Queryable()));
        StreamAggregate.State state = states.get(q.stream()); // as of the last commit
        if (state != null) {
            for (WindowCount running :
                    StreamAggregate.restore(settings.streamSettings(), state, Geometry.NONE)
                            .running()) {
                if (q.matches(running)) {
                    rows.put(
                            new CountsKey(
                                            running.getStreamId(),
                                            running.getLabel(),
                                            running.getZone(),
                                            running.getWindowStart())
                                    .toString(),
                            running);
                }
            }
        }
        return new ArrayList<>(rows.values());
    }

    private void forward(Context ctx, HostInfo owner) {
        String target =
                "http://"
                        + owner.host()
                        + ":"
                        + owner.port()
                        + PATH
                        + "?"
                        + ctx.queryString()
                        + "&"
                        + FORWARDED
                        + "=1";
        try {
            HttpResponse<byte[]> answer =
                    http.send(
                            HttpRequest.newBuilder(URI.create(target))
                                    .timeout(Duration.ofSeconds(10))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            ctx.status(answer.statusCode()).contentType("application/json").result(answer.body());
        } catch (IOException e) {
            throw new HttpProblem(
                    502,
                    null,
                    "instance "
                            + owner.host()
                            + ":"
                            + owner.port()
                            + " owns stream but cannot be reached: "
                            + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpProblem(503, null, "interrupted");
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

        static Query of(Map<String, List<String>> parameters) {
            String stream = last(parameters, "stream");
            if (stream == null || stream.isBlank()) {
                throw HttpProblem.badRequest("stream", "query parameter 'stream' is required");
            }
            Instant from = instant(parameters, "from", Instant.EPOCH);
            Instant to = instant(parameters, "to", Instant.ofEpochMilli(Long.MAX_VALUE / 2));
            if (!from.isBefore(to)) {
                throw HttpProblem.badRequest(
                        "from", "'from' (" + from + ") must be before 'to' (" + to + ")");
            }
            return new Query(stream, last(parameters, "label"), last(parameters, "zone"), from, to);
        }

        /** A repeated parameter keeps its last value. */
        private static String last(Map<String, List<String>> parameters, String name) {
            List<String> values = parameters.get(name);
            return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
        }

        boolean matches(WindowCount c) {
            return c.getStreamId().equals(stream)
                    && (label == null || label.equals(c.getLabel()))
                    && (zone == null
                            || zone.equals(c.getZone() == null ? CountsKey.NO_ZONE : c.getZone()))
                    && c.getWindowEnd().isAfter(from)
                    && c.getWindowStart().isBefore(to);
        }

        private static Instant instant(
                Map<String, List<String>> parameters, String name, Instant fallback) {
            String value = last(parameters, name);
            if (value == null) {
                return fallback;
            }
            try {
                return value.chars().allMatch(Character::isDigit)
                        ? Instant.ofEpochMilli(Long.parseLong(value))
                        : Instant.parse(value);
            } catch (DateTimeParseException | NumberFormatException e) {
                throw HttpProblem.badRequest(
                        name,
                        "query parameter '"
                                + name
                                + "' must be an ISO-8601 instant or epoch millis, got '"
                                + value
                                + "'");
            }
        }
    }

    /** A query string for {@code stream} (and optional filters), for clients. */
    public static String path(String stream) {
        return PATH + "?stream=" + URLEncoder.encode(stream, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.close();
    }
}
