package io.panoptes.worker;

import io.panoptes.runtime.config.Durations;
import io.panoptes.schemas.FrameLimits;
import io.panoptes.worker.model.Device;
import io.panoptes.worker.model.ModelCache;
import io.panoptes.worker.model.ModelConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything an inference worker needs besides Kafka's client settings. Validated on construction.
 *
 * @param groupId the workers' consumer group (several workers share the frames partitions)
 * @param models the models by id
 * @param defaultModel the model for frames whose pipeline names none and that name none themselves:
 *     one of {@code models}, or one defined on the models topic
 * @param decodeThreads threads decoding JPEG/PNG payloads ahead of inference
 * @param inferenceThreads threads running models (each with its own buffers)
 * @param maxBatch most frames, of any streams, one model run takes when the model's batch dimension
 *     is dynamic
 * @param maxBatchWait how long an inference thread waits for a batch to fill after its first frame
 *     (0: takes what is queued)
 * @param intraOpThreads ONNX Runtime threads inside one model run
 * @param interOpThreads ONNX Runtime threads across independent graph nodes
 * @param device where models run: CPU, CUDA (GPU N) or auto
 * @param modelCache where models given by URL are downloaded once and kept
 * @param maxModels most models kept loaded at once; the least recently used is unloaded beyond
 * @param modelLoadWait how long frames wait for their model to load before they fail naming it
 * @param queueCapacity most frames in flight (queued or running); above it the worker pauses
 *     fetching
 * @param maxStaleness LIVE frames older than this are skipped under the LATEST policy
 * @param liveDefaultLatest whether LIVE frames of pipelines without a policy use LATEST (else ALL);
 *     FILE frames use ALL
 * @param exactlyOnce results and offsets in one transaction (else at-least-once: the aggregator
 *     drops duplicates)
 * @param commitInterval how often completed results are committed (one transaction each)
 * @param transactionTimeout how long a dead worker's open transaction can hold back read_committed
 *     readers
 * @param maxPixels largest image accepted
 * @param claimCheckDir where claim-checked payloads are read from; null when none
 * @param http synchronous HTTP inference next to the consumer group; null when none
 */
public record WorkerSettings(
        String groupId,
        Map<String, ModelConfig> models,
        String defaultModel,
        int decodeThreads,
        int inferenceThreads,
        int maxBatch,
        Duration maxBatchWait,
        int intraOpThreads,
        int interOpThreads,
        Device device,
        ModelCache modelCache,
        int maxModels,
        Duration modelLoadWait,
        int queueCapacity,
        Duration maxStaleness,
        boolean liveDefaultLatest,
        boolean exactlyOnce,
        Duration commitInterval,
        Duration transactionTimeout,
        long maxPixels,
        Path claimCheckDir,
        HttpInference http) {

    public static final String DEFAULT_GROUP = "panoptes-worker";
    public static final int DEFAULT_DECODE_THREADS = 1;
    public static final int DEFAULT_INFERENCE_THREADS = 1;
    public static final String DEFAULT_MAX_BATCH_WAIT = "0ms";
    public static final int DEFAULT_ONNX_THREADS = 1;
    public static final String DEFAULT_DEVICE = "cpu";
    public static final int DEFAULT_MAX_MODELS = 4;
    public static final String DEFAULT_MODEL_LOAD_WAIT = "60s";
    public static final int DEFAULT_QUEUE_CAPACITY = 8;
    public static final String DEFAULT_MAX_STALENESS = "500ms";
    public static final String DEFAULT_LIVE_POLICY = "latest";
    public static final String DEFAULT_COMMIT_INTERVAL = "50ms";
    public static final String DEFAULT_TRANSACTION_TIMEOUT = "10s";
    public static final long DEFAULT_MAX_PIXELS = FrameLimits.MAX_PIXELS_8K;

    /** Largest claim-checked payload a worker reads (a 16K RGB frame is under 200 MiB). */
    public static final long MAX_CLAIM_CHECK_BYTES = 256L * 1024 * 1024;

    public WorkerSettings {
        if (groupId == null || groupId.isBlank()) {
            throw new IllegalArgumentException("group must not be blank");
        }
        models = Map.copyOf(models);
        range("decode-threads", decodeThreads, 1, 64);
        range("inference-threads", inferenceThreads, 1, 64);
        range("max-batch", maxBatch, 1, 256);
        if (maxBatchWait.isNegative() || maxBatchWait.toMillis() > 1000) {
            throw new IllegalArgumentException(
                    "max-batch-wait must be in [0, 1 s], got " + maxBatchWait);
        }
        range("intra-op-threads", intraOpThreads, 1, 256);
        range("inter-op-threads", interOpThreads, 1, 256);
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(modelCache, "modelCache");
        range("max-models", maxModels, 1, 1000);
        if (modelLoadWait.isNegative() || modelLoadWait.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(
                    "model-load-wait must be in [0, 1 h], got " + modelLoadWait);
        }
        range("queue-capacity", queueCapacity, 1, 100_000);
        if (maxStaleness.isNegative() || maxStaleness.isZero()) {
            throw new IllegalArgumentException(
                    "max-staleness must be positive, got " + maxStaleness);
        }
        if (commitInterval.isNegative() || commitInterval.toMillis() > 60_000) {
            throw new IllegalArgumentException(
                    "commit interval must be in [0, 60 s], got " + commitInterval);
        }
        if (transactionTimeout.toMillis() < 1000) {
            throw new IllegalArgumentException(
                    "transaction-timeout must be at least 1 s, got " + transactionTimeout);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("max-pixels must be >= 1, got " + maxPixels);
        }
    }

    /**
     * Synchronous HTTP inference ({@code POST /v1/infer/{modelId}}) with the worker's models.
     *
     * @param address where to listen
     * @param concurrency requests inferring at once, on threads of their own
     * @param queue requests waiting beyond those; more get 429
     * @param maxBodyBytes largest body accepted; larger ones get 413
     */
    /**
     * Synchronous HTTP inference with the worker's models: {@code POST /v1/infer/{modelId}} and the
     * Roboflow-compatible routes.
     *
     * @param token the bearer token every request must carry (or, on the Roboflow routes, as {@code
     *     api_key}); empty for none
     * @param imageUrls whether the Roboflow routes may fetch {@code image.type=url} (public
     *     addresses only)
     */
    public record HttpInference(
            InetSocketAddress address,
            int concurrency,
            int queue,
            int maxBodyBytes,
            Optional<String> token,
            boolean imageUrls) {

        public static final int DEFAULT_CONCURRENCY = 2;
        public static final int DEFAULT_MAX_BODY_BYTES = 32 << 20;

        public HttpInference {
            Objects.requireNonNull(address, "address");
            range("http-concurrency", concurrency, 1, 256);
            range("http queue", queue, 0, 10_000);
            if (maxBodyBytes < 1024) {
                throw new IllegalArgumentException(
                        "the HTTP body limit must be at least 1024 bytes, got " + maxBodyBytes);
            }
            token = token == null ? Optional.empty() : token.filter(t -> !t.isBlank());
        }

        /**
         * {@code concurrency} at once and as many waiting, bodies up to 32 MiB, no token, no image
         * URLs.
         */
        public static HttpInference on(InetSocketAddress address, int concurrency) {
            return new HttpInference(
                    address,
                    concurrency,
                    concurrency,
                    DEFAULT_MAX_BODY_BYTES,
                    Optional.empty(),
                    false);
        }

        public HttpInference withQueue(int queue, int maxBodyBytes) {
            return new HttpInference(address, concurrency, queue, maxBodyBytes, token, imageUrls);
        }

        public HttpInference withToken(Optional<String> token) {
            return new HttpInference(address, concurrency, queue, maxBodyBytes, token, imageUrls);
        }

        public HttpInference withImageUrls(boolean imageUrls) {
            return new HttpInference(address, concurrency, queue, maxBodyBytes, token, imageUrls);
        }
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Defaults: group panoptes-worker, 1 decode and 1 inference thread, no batching (1 frame per
     * run; see batching()), 1 intra-op and 1 inter-op thread, 8 frames in flight, 500 ms staleness
     * for LIVE frames (LATEST), exactly-once committing every 50 ms with a 10 s transaction
     * timeout, 8K pixel cap.
     */
    public static final class Builder {
        private String groupId = DEFAULT_GROUP;
        private final Map<String, ModelConfig> models = new LinkedHashMap<>();
        private String defaultModel;
        private int decodeThreads = DEFAULT_DECODE_THREADS;
        private int inferenceThreads = DEFAULT_INFERENCE_THREADS;
        private int maxBatch = 1;
        private Duration maxBatchWait = Durations.parse(DEFAULT_MAX_BATCH_WAIT);
        private int intraOpThreads = DEFAULT_ONNX_THREADS;
        private int interOpThreads = DEFAULT_ONNX_THREADS;
        private Device device = Device.parse(DEFAULT_DEVICE);
        private ModelCache modelCache = ModelCache.defaults();
        private int maxModels = DEFAULT_MAX_MODELS;
        private Duration modelLoadWait = Durations.parse(DEFAULT_MODEL_LOAD_WAIT);
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private Duration maxStaleness = Durations.parse(DEFAULT_MAX_STALENESS);
        private boolean liveDefaultLatest = DEFAULT_LIVE_POLICY.equals("latest");
        private boolean exactlyOnce = true;
        private Duration commitInterval = Durations.parse(DEFAULT_COMMIT_INTERVAL);
        private Duration transactionTimeout = Durations.parse(DEFAULT_TRANSACTION_TIMEOUT);
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private Path claimCheckDir;
        private HttpInference http;

        private Builder() {}

        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        /** Adds a model; the first one added is the default unless another is named. */
        public Builder model(ModelConfig model) {
            models.put(model.id(), Objects.requireNonNull(model));
            if (defaultModel == null) {
                defaultModel = model.id();
            }
            return this;
        }

        public Builder defaultModel(String id) {
            this.defaultModel = id;
            return this;
        }

        public Builder decodeThreads(int threads) {
            this.decodeThreads = threads;
            return this;
        }

        public Builder inferenceThreads(int threads) {
            this.inferenceThreads = threads;
            return this;
        }

        /**
         * Batches of up to {@code maxBatch} frames, waiting at most {@code maxWait} for one to
         * fill.
         */
        public Builder batching(int maxBatch, Duration maxWait) {
            this.maxBatch = maxBatch;
            this.maxBatchWait = maxWait;
            return this;
        }

        public Builder onnxThreads(int intraOp, int interOp) {
            this.intraOpThreads = intraOp;
            this.interOpThreads = interOp;
            return this;
        }

        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        public Builder modelCache(ModelCache cache) {
            this.modelCache = cache;
            return this;
        }

        /** Most models loaded at once, and how long a frame waits for one that is loading. */
        public Builder modelResidency(int maxModels, Duration loadWait) {
            this.maxModels = maxModels;
            this.modelLoadWait = loadWait;
            return this;
        }

        public Builder queueCapacity(int capacity) {
            this.queueCapacity = capacity;
            return this;
        }

        public Builder maxStaleness(Duration staleness) {
            this.maxStaleness = staleness;
            return this;
        }

        public Builder liveDefaultLatest(boolean latest) {
            this.liveDefaultLatest = latest;
            return this;
        }

        public Builder exactlyOnce(boolean exactlyOnce) {
            this.exactlyOnce = exactlyOnce;
            return this;
        }

        public Builder commitInterval(Duration interval) {
            this.commitInterval = interval;
            return this;
        }

        public Builder transactionTimeout(Duration timeout) {
            this.transactionTimeout = timeout;
            return this;
        }

        public Builder maxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
            return this;
        }

        public Builder claimCheckDir(Path dir) {
            this.claimCheckDir = dir;
            return this;
        }

        /** Also serves HTTP inference; null for none (the default). */
        public Builder http(HttpInference http) {
            this.http = http;
            return this;
        }

        public WorkerSettings build() {
            return new WorkerSettings(
                    groupId,
                    models,
                    defaultModel,
                    decodeThreads,
                    inferenceThreads,
                    maxBatch,
                    maxBatchWait,
                    intraOpThreads,
                    interOpThreads,
                    device,
                    modelCache,
                    maxModels,
                    modelLoadWait,
                    queueCapacity,
                    maxStaleness,
                    liveDefaultLatest,
                    exactlyOnce,
                    commitInterval,
                    transactionTimeout,
                    maxPixels,
                    claimCheckDir,
                    http);
        }
    }
}
