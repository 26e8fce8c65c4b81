package io.panoptes.api;

import io.panoptes.ingest.source.SourcePolicy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The API role's settings.
 *
 * @param address where to listen (port 0 picks one)
 * @param token the bearer token every {@code /v1} request must carry; empty turns authentication off
 * @param sources which sources pipelines may name (checked on create and update; ingest checks again)
 * @param aggregator base URL of an aggregator's counts queries, for {@code /v1/counts}; empty when none
 * @param kafkaTimeout how long a request may wait for Kafka before it gets 503
 * @param maxResultStreams most Server-Sent-Event clients at once (each holds a thread and a consumer)
 */
public record ApiSettings(InetSocketAddress address, Optional<String> token, SourcePolicy sources, Optional<URI> aggregator,
        Duration kafkaTimeout, int maxResultStreams) {

    public ApiSettings {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(sources, "sources");
        token.ifPresent(t -> {
            if (t.length() < 16) {
                throw new IllegalArgumentException("the API token must be at least 16 characters (got " + t.length() + ")");
            }
        });
        if (maxResultStreams < 1) {
            throw new IllegalArgumentException("max result streams must be at least 1, got " + maxResultStreams);
        }
    }
}
