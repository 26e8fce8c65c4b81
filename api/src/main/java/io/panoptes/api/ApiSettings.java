package io.panoptes.api;

import io.panoptes.pipeline.source.SourcePolicy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The API role's settings, with their defaults ({@link #defaults}); the command line reads its
 * defaults from the constants here.
 *
 * @param address where to listen (port 0 picks one); default every interface, port {@value
 *     #DEFAULT_PORT}
 * @param token the bearer token every {@code /v1} request must carry; empty turns authentication
 *     off
 * @param sources which sources pipelines may name (checked on create and update; ingest checks
 *     again)
 * @param aggregator base URL of an aggregator's counts queries, for {@code /v1/counts}; empty when
 *     none
 * @param kafkaTimeout how long a request may wait for Kafka before it gets 503 (default 15 s)
 * @param maxResultStreams most Server-Sent-Event clients at once, each holding a thread and a
 *     consumer (default {@value #DEFAULT_MAX_RESULT_STREAMS})
 */
public record ApiSettings(
        InetSocketAddress address,
        Optional<String> token,
        SourcePolicy sources,
        Optional<URI> aggregator,
        Duration kafkaTimeout,
        int maxResultStreams) {

    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_MAX_RESULT_STREAMS = 32;
    public static final int MIN_TOKEN_LENGTH = 16;

    public ApiSettings {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(sources, "sources");
        token.ifPresent(
                t -> {
                    if (t.length() < MIN_TOKEN_LENGTH) {
                        throw new IllegalArgumentException(
                                "the API token must be at least "
                                        + MIN_TOKEN_LENGTH
                                        + " characters (got "
                                        + t.length()
                                        + ")");
                    }
                });
        if (kafkaTimeout.isNegative() || kafkaTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "the API's Kafka timeout must be positive, got " + kafkaTimeout);
        }
        if (maxResultStreams < 1 || maxResultStreams > 1000) {
            throw new IllegalArgumentException(
                    "max-result-streams must be in [1, 1000], got " + maxResultStreams);
        }
    }

    /**
     * Every interface on port {@value #DEFAULT_PORT}, no token, no aggregator, 15 s for Kafka,
     * {@value #DEFAULT_MAX_RESULT_STREAMS} result streams.
     */
    public static ApiSettings defaults(SourcePolicy sources) {
        return new ApiSettings(
                new InetSocketAddress(DEFAULT_HOST, DEFAULT_PORT),
                Optional.empty(),
                sources,
                Optional.empty(),
                Duration.ofSeconds(15),
                DEFAULT_MAX_RESULT_STREAMS);
    }

    public ApiSettings withAddress(InetSocketAddress address) {
        return new ApiSettings(address, token, sources, aggregator, kafkaTimeout, maxResultStreams);
    }

    public ApiSettings withToken(Optional<String> token) {
        return new ApiSettings(address, token, sources, aggregator, kafkaTimeout, maxResultStreams);
    }

    public ApiSettings withAggregator(Optional<URI> aggregator) {
        return new ApiSettings(address, token, sources, aggregator, kafkaTimeout, maxResultStreams);
    }

    public ApiSettings withKafkaTimeout(Duration timeout) {
        return new ApiSettings(address, token, sources, aggregator, timeout, maxResultStreams);
    }

    public ApiSettings withMaxResultStreams(int streams) {
        return new ApiSettings(address, token, sources, aggregator, kafkaTimeout, streams);
    }
}
