package io.panoptes.aggregator;

import io.panoptes.aggregator.counting.WindowSpec;
import io.panoptes.aggregator.internal.state.StreamAggregate;
import io.panoptes.aggregator.tracking.TrackerSettings;
import io.panoptes.pipeline.geometry.Geometry;
import io.panoptes.pipeline.rules.Rule;
import io.panoptes.runtime.config.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the aggregator needs besides Kafka's client settings. Validated on construction.
 *
 * @param applicationId the Kafka Streams application id (consumer group, internal topic prefix)
 * @param stateDir where the state stores (RocksDB) live
 * @param reorderBuffer results per stream held back waiting for a missing one before it is given up
 * @param tracker the tracker's thresholds
 * @param windows window size, advance and grace
 * @param maxFutureSkew LIVE results stamped further ahead of the wall clock are not counted
 * @param idleTimeout a stream with no result for this long has its buffer released and its windows
 *     closed
 * @param earlyUpdates how often running (final=false) counts are emitted; null for final results
 *     only
 * @param punctuateInterval how often idle streams and early updates are checked (wall clock)
 * @param countsRetention how long final counts stay queryable in the aggregator's store
 * @param geometry zones and lines configured per stream id (a pipeline's own, when it has any, win)
 * @param standbyReplicas warm copies of each state store on other instances
 * @param rules rules from configuration (a pipeline's own rules are added for its streams)
 */
public record AggregatorSettings(
        String applicationId,
        Path stateDir,
        int reorderBuffer,
        TrackerSettings tracker,
        WindowSpec windows,
        Duration maxFutureSkew,
        Duration idleTimeout,
        Duration earlyUpdates,
        Duration punctuateInterval,
        Duration countsRetention,
        Map<String, Geometry> geometry,
        int standbyReplicas,
        List<Rule> rules) {

    public static final String DEFAULT_APPLICATION_ID = "panoptes-aggregator";
    public static final String DEFAULT_WINDOW = "1m";
    public static final String DEFAULT_GRACE = "5s";
    public static final String DEFAULT_IDLE_TIMEOUT = "30s";
    public static final int DEFAULT_REORDER_BUFFER = 64;
    public static final String DEFAULT_MAX_FUTURE_SKEW = "10s";
    public static final int DEFAULT_STANDBY_REPLICAS = 0;

    /** Where an instance answers counts queries unless told otherwise. */
    public static final int DEFAULT_QUERY_PORT = 8083;

    public static final String DEFAULT_QUERY_HOST = "localhost";

    public AggregatorSettings {
        if (applicationId == null || applicationId.isBlank()) {
            throw new IllegalArgumentException("aggregator application id must not be blank");
        }
        Objects.requireNonNull(stateDir, "stateDir");
        if (reorderBuffer < 1 || reorderBuffer > 10_000) {
            throw new IllegalArgumentException(
                    "reorder buffer must be in [1, 10000] results, got " + reorderBuffer);
        }
        Objects.requireNonNull(tracker, "tracker");
        Objects.requireNonNull(windows, "windows");
        positive("max future skew", maxFutureSkew);
        positive("idle timeout", idleTimeout);
        if (earlyUpdates != null) {
            positive("early updates interval", earlyUpdates);
        }
        positive("punctuate interval", punctuateInterval);
        positive("counts retention", countsRetention);
        geometry = Map.copyOf(geometry);
        rules = List.copyOf(rules);
        if (standbyReplicas < 0 || standbyReplicas > 10) {
            throw new IllegalArgumentException(
                    "standby replicas must be in [0, 10], got " + standbyReplicas);
        }
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** What every stream's aggregate is configured with. */
    public StreamAggregate.Settings streamSettings() {
        return new StreamAggregate.Settings(reorderBuffer, tracker, windows, maxFutureSkew);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Defaults: application panoptes-aggregator, state under the temp dir, a reorder buffer of 64,
     * ByteTrack's thresholds, 1-minute tumbling windows with 5 s grace, 10 s future skew, 30 s idle
     * timeout, final results only, 1 s punctuation, 7 days of counts, no standby.
     */
    public static final class Builder {
        private String applicationId = DEFAULT_APPLICATION_ID;
        private Path stateDir =
                Path.of(System.getProperty("java.io.tmpdir"), "panoptes-aggregator");
        private int reorderBuffer = DEFAULT_REORDER_BUFFER;
        private TrackerSettings tracker = TrackerSettings.defaults();
        private WindowSpec windows = WindowSpec.defaults();
        private Duration maxFutureSkew = Durations.parse(DEFAULT_MAX_FUTURE_SKEW);
        private Duration idleTimeout = Durations.parse(DEFAULT_IDLE_TIMEOUT);
        private Duration earlyUpdates;
        private Duration punctuateInterval = Duration.ofSeconds(1);
        private Duration countsRetention = Duration.ofDays(7);
        private final Map<String, Geometry> geometry = new HashMap<>();
        private int standbyReplicas = DEFAULT_STANDBY_REPLICAS;
        private final List<Rule> rules = new ArrayList<>();

        private Builder() {}

        public Builder rules(List<Rule> more) {
            rules.addAll(more);
            return this;
        }

        public Builder applicationId(String id) {
            this.applicationId = id;
            return this;
        }

        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        public Builder reorderBuffer(int results) {
            this.reorderBuffer = results;
            return this;
        }

        public Builder tracker(TrackerSettings tracker) {
            this.tracker = tracker;
            return this;
        }

        public Builder windows(WindowSpec windows) {
            this.windows = windows;
            return this;
        }

        public Builder maxFutureSkew(Duration skew) {
            this.maxFutureSkew = skew;
            return this;
        }

        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        public Builder earlyUpdates(Duration interval) {
            this.earlyUpdates = interval;
            return this;
        }

        public Builder punctuateInterval(Duration interval) {
            this.punctuateInterval = interval;
            return this;
        }

        public Builder countsRetention(Duration retention) {
            this.countsRetention = retention;
            return this;
        }

        /** Zones and lines for one stream. */
        public Builder geometry(String streamId, Geometry shapes) {
            geometry.put(streamId, shapes);
            return this;
        }

        public Builder standbyReplicas(int replicas) {
            this.standbyReplicas = replicas;
            return this;
        }

        public AggregatorSettings build() {
            return new AggregatorSettings(
                    applicationId,
                    stateDir,
                    reorderBuffer,
                    tracker,
                    windows,
                    maxFutureSkew,
                    idleTimeout,
                    earlyUpdates,
                    punctuateInterval,
                    countsRetention,
                    geometry,
                    standbyReplicas,
                    rules);
        }
    }
}
