package io.panoptes.ingest.source;

import io.panoptes.runtime.config.Durations;
import io.panoptes.schemas.FrameLimits;
import java.time.Duration;

/**
 * How sources are opened and decoded.
 *
 * @param decoderThreads FFmpeg decoder threads per source (explicit, so many sources share cores
 *     predictably)
 * @param networkTimeout how long a network read may stall before the source counts as lost
 *     (HTTP/RTMP {@code rw_timeout}; RTSP {@code timeout}, which FFmpeg applies about four times
 *     over)
 * @param maxPixels largest width×height accepted; larger frames are refused before decoding
 */
public record DecoderSettings(int decoderThreads, Duration networkTimeout, long maxPixels) {

    /** 8K (7680×4320). */
    public static final long DEFAULT_MAX_PIXELS = FrameLimits.MAX_PIXELS_8K;

    public static final int DEFAULT_DECODER_THREADS = 1;
    public static final String DEFAULT_NETWORK_TIMEOUT = "5s";

    public DecoderSettings {
        if (decoderThreads < 1 || decoderThreads > 64) {
            throw new IllegalArgumentException(
                    "decoder threads must be in [1, 64], got " + decoderThreads);
        }
        if (networkTimeout.isNegative() || networkTimeout.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException(
                    "network timeout must be at least 100 ms, got " + networkTimeout);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("max pixels must be >= 1, got " + maxPixels);
        }
    }

    public static DecoderSettings defaults() {
        return new DecoderSettings(
                DEFAULT_DECODER_THREADS,
                Durations.parse(DEFAULT_NETWORK_TIMEOUT),
                DEFAULT_MAX_PIXELS);
    }
}
