package io.panoptes.ingest;

import io.panoptes.ingest.encode.EncodingSettings;
import io.panoptes.ingest.source.DecoderSettings;
import io.panoptes.runtime.config.Durations;
import io.panoptes.runtime.retry.Backoff;
import io.panoptes.schemas.topics.TopicSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything an ingest process needs besides its sources. Validated on construction; see the
 * builder for defaults.
 *
 * @param workerGroup consumer group of the inference workers, whose lag drives adaptation
 * @param lagInterval how often the lag is read
 * @param liveHighLag lag (records on a stream's partition) above which live sources halve their
 *     rate
 * @param liveLowLag lag below which live sources raise their rate again
 * @param liveMinRateFactor lowest fraction of its rate a live source is throttled to
 * @param fileLagBound lag above which file sources stop reading until it drains; 0 never stops
 * @param claimCheckDir where frames too large for a record are stored
 * @param maxRecordBytes largest frame record (the frames topic's {@code max.message.bytes}); larger
 *     frames are claim-checked
 */
public record IngestSettings(
        DecoderSettings decoder,
        EncodingSettings encoding,
        Backoff reconnect,
        String workerGroup,
        Duration lagInterval,
        long liveHighLag,
        long liveLowLag,
        double liveMinRateFactor,
        long fileLagBound,
        Path claimCheckDir,
        int maxRecordBytes) {

    public static final String DEFAULT_WORKER_GROUP = "panoptes-worker";
    public static final long DEFAULT_LIVE_LAG_HIGH = 50;
    public static final long DEFAULT_LIVE_LAG_LOW = 10;
    public static final long DEFAULT_FILE_LAG_BOUND = 500;

    /** Reconnects wait from 1 s, doubling up to this, forever unless attempts are limited. */
    public static final String DEFAULT_RECONNECT_MAX_DELAY = "30s";

    public static final int DEFAULT_RECONNECT_ATTEMPTS = 0;

    public IngestSettings {
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(reconnect, "reconnect");
        if (workerGroup == null || workerGroup.isBlank()) {
            throw new IllegalArgumentException("worker group must not be blank");
        }
        if (lagInterval.toMillis() < 100) {
            throw new IllegalArgumentException(
                    "lag interval must be at least 100 ms, got " + lagInterval);
        }
        if (fileLagBound < 0) {
            throw new IllegalArgumentException(
                    "file lag bound must be >= 0 (0 = never pause), got " + fileLagBound);
        }
        if (maxRecordBytes < 64 * 1024) {
            throw new IllegalArgumentException(
                    "max record bytes must be at least 65536, got " + maxRecordBytes);
        }
        Objects.requireNonNull(claimCheckDir, "claimCheckDir");
    }

    /**
     * Largest payload sent inline; the rest of a record (key, fields, headers) fits in the margin.
     */
    public int claimCheckThreshold() {
        return maxRecordBytes - 16 * 1024;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Defaults: 1 decoder thread, 5 s network timeout, 8K pixel cap, JPEG q85, reconnect 1 s..30 s
     * forever, lag read every 2 s, live halves above 50 and recovers below 10 records, down to 10%;
     * files pause above 500.
     */
    public static final class Builder {
        private DecoderSettings decoder = DecoderSettings.defaults();
        private EncodingSettings encoding = EncodingSettings.defaults();
        private Backoff reconnect =
                reconnect(Durations.parse(DEFAULT_RECONNECT_MAX_DELAY), DEFAULT_RECONNECT_ATTEMPTS);
        private String workerGroup = DEFAULT_WORKER_GROUP;
        private Duration lagInterval = Duration.ofSeconds(2);
        private long liveHighLag = DEFAULT_LIVE_LAG_HIGH;
        private long liveLowLag = DEFAULT_LIVE_LAG_LOW;
        private double liveMinRateFactor = 0.1;
        private long fileLagBound = DEFAULT_FILE_LAG_BOUND;
        private Path claimCheckDir =
                Path.of(System.getProperty("java.io.tmpdir"), "panoptes-claim-check");
        private int maxRecordBytes = TopicSettings.DEFAULT_FRAMES_MAX_MESSAGE_BYTES;

        private Builder() {}

        public Builder decoder(DecoderSettings decoder) {
            this.decoder = decoder;
            return this;
        }

        public Builder encoding(EncodingSettings encoding) {
            this.encoding = encoding;
            return this;
        }

        /**
         * Reconnects from 1 s apart, doubling up to {@code maxDelay}; {@code attempts} 0 retries
         * forever.
         */
        public static Backoff reconnect(Duration maxDelay, int attempts) {
            return new Backoff(Duration.ofSeconds(1), maxDelay, attempts);
        }

        public Builder reconnect(Backoff reconnect) {
            this.reconnect = reconnect;
            return this;
        }

        public Builder workerGroup(String workerGroup) {
            this.workerGroup = workerGroup;
            return this;
        }

        public Builder lagInterval(Duration lagInterval) {
            this.lagInterval = lagInterval;
            return this;
        }

        public Builder liveLag(long low, long high) {
            this.liveLowLag = low;
            this.liveHighLag = high;
            return this;
        }

        public Builder liveMinRateFactor(double factor) {
            this.liveMinRateFactor = factor;
            return this;
        }

        public Builder fileLagBound(long bound) {
            this.fileLagBound = bound;
            return this;
        }

        public Builder claimCheckDir(Path dir) {
            this.claimCheckDir = dir;
            return this;
        }

        public Builder maxRecordBytes(int bytes) {
            this.maxRecordBytes = bytes;
            return this;
        }

        public IngestSettings build() {
            return new IngestSettings(
                    decoder,
                    encoding,
                    reconnect,
                    workerGroup,
                    lagInterval,
                    liveHighLag,
                    liveLowLag,
                    liveMinRateFactor,
                    fileLagBound,
                    claimCheckDir,
                    maxRecordBytes);
        }
    }
}
