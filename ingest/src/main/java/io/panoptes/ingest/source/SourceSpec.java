package io.panoptes.ingest.source;

import io.panoptes.avro.SourceKind;
import io.panoptes.pipeline.source.SourceType;
import io.panoptes.pipeline.source.SourceUris;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One source to ingest: where it is, the stream id its frames are keyed by, and how to pace it.
 *
 * @param streamId record key of its frames
 * @param uri file path, {@code file:}, {@code rtsp://}, {@code rtmp://}, {@code http(s)://} URL or
 *     V4L2 device
 * @param type what the URI points at
 * @param kind LIVE (drop to keep up) or FILE (wait, never drop); a {@code realtime} file is LIVE
 * @param maxFps most frames per second to publish; empty for the source's own rate
 * @param realtime pace a file at its native rate, like a camera
 * @param pipelineId copied to every frame, if set
 * @param modelId copied to every frame, if set: overrides the pipeline's model
 * @param options extra FFmpeg options (e.g. {@code rtsp_transport=udp})
 */
public record SourceSpec(
        String streamId,
        String uri,
        SourceType type,
        SourceKind kind,
        Optional<Double> maxFps,
        boolean realtime,
        Optional<String> pipelineId,
        Optional<String> modelId,
        Map<String, String> options) {

    private static final Pattern STREAM_ID = Pattern.compile("[^\\p{Cntrl}]{1,249}");

    public SourceSpec {
        Objects.requireNonNull(uri, "uri");
        if (streamId == null || !STREAM_ID.matcher(streamId).matches()) {
            throw new IllegalArgumentException(
                    "stream id '"
                            + streamId
                            + "' of "
                            + uri
                            + " must be 1 to 249 characters without control characters");
        }
        maxFps.ifPresent(
                fps -> {
                    if (!(fps > 0 && fps <= 1000)) {
                        throw new IllegalArgumentException(
                                "max fps of " + streamId + " must be in (0, 1000], got " + fps);
                    }
                });
        if (realtime && type.defaultKind() != SourceKind.FILE) {
            throw new IllegalArgumentException(
                    "--realtime applies to files and images, not to the live source " + uri);
        }
        options = Map.copyOf(options);
    }

    /** The URI without credentials, for logs, errors and records. */
    public String displayUri() {
        return SourceUris.redact(uri);
    }

    public boolean isLive() {
        return kind == SourceKind.LIVE;
    }

    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** Builds a spec; the stream id defaults to {@link SourceUris#defaultStreamId}. */
    public static final class Builder {
        private final String uri;
        private String streamId;
        private Double maxFps;
        private boolean realtime;
        private String pipelineId;
        private String modelId;
        private final Map<String, String> options = new LinkedHashMap<>();

        private Builder(String uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
        }

        public Builder streamId(String streamId) {
            this.streamId = streamId;
            return this;
        }

        public Builder maxFps(Double maxFps) {
            this.maxFps = maxFps;
            return this;
        }

        public Builder realtime(boolean realtime) {
            this.realtime = realtime;
            return this;
        }

        public Builder pipelineId(String pipelineId) {
            this.pipelineId = pipelineId;
            return this;
        }

        public Builder modelId(String modelId) {
            this.modelId = modelId;
            return this;
        }

        public Builder option(String name, String value) {
            options.put(name, value);
            return this;
        }

        public SourceSpec build() {
            SourceType type = SourceType.of(uri);
            SourceKind kind = realtime ? SourceKind.LIVE : type.defaultKind();
            return new SourceSpec(
                    streamId != null ? streamId : SourceUris.defaultStreamId(uri),
                    uri,
                    type,
                    kind,
                    Optional.ofNullable(maxFps),
                    realtime,
                    Optional.ofNullable(pipelineId),
                    Optional.ofNullable(modelId),
                    options);
        }
    }
}
