package io.panoptes.app.cli;

import io.panoptes.schemas.topics.Topics;
import io.panoptes.worker.WorkerService;
import io.panoptes.worker.WorkerSettings;
import io.panoptes.worker.model.BundledModels;
import io.panoptes.worker.model.Device;
import io.panoptes.worker.model.ModelCache;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelDownload;
import io.panoptes.worker.model.ModelFamily;
import io.panoptes.worker.model.ModelLoadException;
import io.panoptes.worker.model.ModelTask;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code panoptes worker}: run detection models on the frames topic. */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Run detection models (ONNX Runtime, CPU) on the frames topic in a consumer group and write "
                        + "exactly one result per frame to the detections topic: detections, or a SKIPPED_STALE, FAILED or "
                        + "END_OF_STREAM marker. Start more workers with the same --group to share the partitions. Runs until "
                        + "SIGTERM/Ctrl-C, then finishes and commits what is in flight.",
        footer = {
            "",
            "Examples:",
            "  panoptes worker --model coco                     # the bundled COCO-80 detector",
            "  panoptes worker --model face --model coco        # both bundled models; frames choose",
            "  panoptes worker --model yolo --model-path yolov8n.onnx --model-family yolov8 \\",
            "                  --labels person,bicycle,car --confidence 0.3 --inference-threads 2",
            "",
            "The model for a frame is its modelId, else its pipeline's model, else --default-model (the first --model).",
            "Models defined on the models topic (PUT /v1/models/{id}, or any producer) are loaded when a frame first",
            "names them and again when their spec changes, without a restart; a --model of the same id wins.",
            "With --http-port, Roboflow's POST /infer/object_detection and POST /{project}/{version} answer too;",
            "set PANOPTES_INFER_TOKEN to require it as a bearer token (or api_key)."
        })
public final class WorkerCommand implements Callable<Integer> {

    /** Where the HTTP inference token comes from (not a flag: flags show in process lists). */
    static final String HTTP_TOKEN_ENV = "PANOPTES_INFER_TOKEN";

    /** One {@code --model} and the options that follow it. */
    static final class ModelOption {
        @Option(
                names = "--model",
                required = true,
                paramLabel = "ID",
                description =
                        "Model id, as frames and pipelines name it; face and coco are bundled (no --model-path"
                                + " needed). Repeatable.")
        String id;

        @Option(
                names = "--model-path",
                paramLabel = "FILE|URL",
                description =
                        "The ONNX file, or an http(s) URL downloaded once into the model cache (needs --model-sha256).")
        String path;

        @Option(
                names = "--model-sha256",
                paramLabel = "HEX",
                description = "The pinned sha256 of a model given by URL.")
        String sha256;

        @Option(
                names = "--model-family",
                paramLabel = "yolov8|yolov5|blazeface|centernet",
                description =
                        "Output layout of --model-path: yolov8 (also v11) [1,4+C,N], yolov5 [1,N,5+C], blazeface,"
                                + " centernet [1,N,6].")
        String family;

        @Option(
                names = "--model-task",
                paramLabel = "detect|classify|segment|pose",
                description =
                        "What an ONNX file's outputs mean: detect, or (yolov8) classify [1,C], segment [1,4+C+M,N] + [1,M,H,W], pose [1,4+C+3K,N] (default: detect).")
        String modelTask;

        @Option(
                names = "--labels",
                split = ",",
                paramLabel = "NAME[,NAME...]",
                description = "Class names in output order.")
        List<String> labels = List.of();

        @Option(
                names = "--confidence",
                paramLabel = "0-1",
                description = "Minimum score (default: yolo 0.25, blazeface 0.75, centernet 0.4).")
        Float confidence;

        @Option(
                names = "--iou",
                paramLabel = "0-1",
                description =
                        "NMS overlap threshold (default: yolo 0.45, blazeface 0.3, centernet 0.6).")
        Float iou;

        ModelConfig config(ModelCache cache) {
            ModelConfig config;
            if (path == null) {
                config = bundled(cache);
            } else if (family == null) {
                throw new IllegalArgumentException(
                        "--model " + id + ": --model-family is required with --model-path");
            } else if (path.startsWith("http://") || path.startsWith("https://")) {
                ModelDownload download = new ModelDownload(URI.create(path), sha256);
                config =
                        ModelConfig.of(id, cache.cachePath(download), ModelFamily.parse(family))
                                .withDownload(download);
            } else {
                config = ModelConfig.of(id, Path.of(path), ModelFamily.parse(family));
            }
            if (!labels.isEmpty()) {
                config = config.withLabels(labels);
            }
            if (modelTask != null) {
                config = config.withTask(ModelTask.parse(modelTask));
            }
            return config.withThresholds(
                    confidence != null ? confidence : config.confidence(),
                    iou != null ? iou : config.iou());
        }

        private ModelConfig bundled(ModelCache cache) {
            BundledModels model =
                    BundledModels.named(id)
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "--model "
                                                            + id
                                                            + ": give its file with --model-path (only "
                                                            + BundledModels.names()
                                                            + " are bundled)"));
            if (family != null) {
                throw new IllegalArgumentException(
                        "--model "
                                + id
                                + ": --model-family is for --model-path; the bundled model"
                                + " knows its own");
            }
            return model.config(cache.dir());
        }
    }

    @ArgGroup(exclusive = false, multiplicity = "0..*")
    private List<ModelOption> models = new java.util.ArrayList<>();

    @Mixin private RoleOptions role;

    @Option(
            names = "--group",
            defaultValue = WorkerSettings.DEFAULT_GROUP,
            paramLabel = "GROUP",
            description = "Consumer group shared by the workers (default: ${DEFAULT-VALUE}).")
    private String group;

    @Option(
            names = "--default-model",
            paramLabel = "ID",
            description = "Model for frames that name none (default: the first --model).")
    private String defaultModel;

    @Option(
            names = "--decode-threads",
            defaultValue = "" + WorkerSettings.DEFAULT_DECODE_THREADS,
            paramLabel = "N",
            description =
                    "Threads decoding JPEG/PNG ahead of inference (default: ${DEFAULT-VALUE}).")
    private int decodeThreads;

    @Option(
            names = "--inference-threads",
            defaultValue = "" + WorkerSettings.DEFAULT_INFERENCE_THREADS,
            paramLabel = "N",
            description = "Threads running models (default: ${DEFAULT-VALUE}).")
    private int inferenceThreads;

    @Option(
            names = "--max-batch",
            paramLabel = "N",
            description =
                    "Most frames, of any streams, in one model run when the model's batch dimension is dynamic; "
                            + "1 turns batching off (default: 8 on a GPU, 1 on the CPU, where batches measured no faster).")
    private Integer maxBatch;

    @Option(
            names = "--max-batch-wait",
            defaultValue = WorkerSettings.DEFAULT_MAX_BATCH_WAIT,
            paramLabel = "DURATION",
            converter = DurationConverter.ZeroOrMore.class,
            description =
                    "How long to wait for a batch to fill after its first frame; 0ms runs what is queued "
                            + "(default: ${DEFAULT-VALUE}).")
    private Duration maxBatchWait;

    @Option(
            names = "--intra-op-threads",
            defaultValue = "" + WorkerSettings.DEFAULT_ONNX_THREADS,
            paramLabel = "N",
            description = "ONNX Runtime threads within one run (default: ${DEFAULT-VALUE}).")
    private int intraOpThreads;

    @Option(
            names = "--inter-op-threads",
            defaultValue = "" + WorkerSettings.DEFAULT_ONNX_THREADS,
            paramLabel = "N",
            description = "ONNX Runtime threads across graph nodes (default: ${DEFAULT-VALUE}).")
    private int interOpThreads;

    @Option(
            names = "--device",
            defaultValue = WorkerSettings.DEFAULT_DEVICE,
            paramLabel = "cpu|cuda[:N]|auto",
            description =
                    "Where models run; cuda needs the GPU build (mvn -Pgpu) and fails clearly without it; auto falls back to the CPU (default: ${DEFAULT-VALUE}).")
    private String device;

    @Option(
            names = "--model-cache-dir",
            paramLabel = "DIR",
            description =
                    "Where models given by URL are kept; later runs need no network (default: ~/.cache/panoptes/models).")
    private Path modelCacheDir;

    @Option(
            names = "--max-models",
            defaultValue = "" + WorkerSettings.DEFAULT_MAX_MODELS,
            paramLabel = "N",
            description =
                    "Most models loaded at once; the least recently used is unloaded beyond it (default: ${DEFAULT-VALUE}).")
    private int maxModels;

    @Option(
            names = "--model-load-wait",
            defaultValue = WorkerSettings.DEFAULT_MODEL_LOAD_WAIT,
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "How long frames wait for their model to load (download, verify, open) before they fail naming it (default: ${DEFAULT-VALUE}).")
    private Duration modelLoadWait;

    @Option(
            names = "--allow-private-model-urls",
            description =
                    "Let model URLs reach loopback, link-local and private addresses (refused by default).")
    private boolean allowPrivateModelUrls;

    @Option(
            names = "--http-port",
            paramLabel = "PORT",
            description =
                    "Also serve synchronous inference, POST /v1/infer/{modelId} with a JPEG or PNG body, on this port.")
    private Integer httpPort;

    @Option(
            names = "--http-allow-image-urls",
            description =
                    "Let the Roboflow-compatible routes fetch image.type=url (public addresses only, checked on every redirect; off by default).")
    private boolean httpImageUrls;

    @Option(
            names = "--http-concurrency",
            defaultValue = "" + WorkerSettings.HttpInference.DEFAULT_CONCURRENCY,
            paramLabel = "N",
            description =
                    "HTTP requests inferring at once; as many more may wait, the rest get 429 (default: ${DEFAULT-VALUE}).")
    private int httpConcurrency;

    @Option(
            names = "--queue-capacity",
            defaultValue = "" + WorkerSettings.DEFAULT_QUEUE_CAPACITY,
            paramLabel = "N",
            description =
                    "Most frames in flight; above it the worker pauses fetching (default: ${DEFAULT-VALUE}).")
    private int queueCapacity;

    @Option(
            names = "--max-staleness",
            defaultValue = WorkerSettings.DEFAULT_MAX_STALENESS,
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "LIVE frames older than this are skipped under the latest policy (default: ${DEFAULT-VALUE}).")
    private Duration maxStaleness;

    @Option(
            names = "--live-policy",
            defaultValue = WorkerSettings.DEFAULT_LIVE_POLICY,
            paramLabel = "latest|all",
            description =
                    "For LIVE frames of pipelines without a policy: skip stale frames, or process all (default: ${DEFAULT-VALUE}). FILE frames are always processed.")
    private String livePolicy;

    @Option(
            names = "--at-least-once",
            description =
                    "Commit offsets after sending results, without transactions (duplicates are dropped downstream).")
    private boolean atLeastOnce;

    @Option(
            names = "--transaction-timeout",
            defaultValue = WorkerSettings.DEFAULT_TRANSACTION_TIMEOUT,
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "How long a dead worker's open transaction can hold back readers (default: ${DEFAULT-VALUE}).")
    private Duration transactionTimeout;

    @Option(
            names = "--max-pixels",
            defaultValue = "" + WorkerSettings.DEFAULT_MAX_PIXELS,
            paramLabel = "N",
            description = "Refuse images with more pixels (default: ${DEFAULT-VALUE}, 8K).")
    private long maxPixels;

    @Option(
            names = "--claim-check-dir",
            paramLabel = "DIR",
            description = "Where claim-checked frames are read from (shared with ingest).")
    private Path claimCheckDir;

    @Override
    public Integer call() throws InterruptedException {
        WorkerSettings settings = settings();
        Topics topics = role.topics();
        try {
            RoleRun.run(
                    "worker",
                    role.metrics(),
                    observability ->
                            List.of(
                                    new WorkerService(
                                            settings,
                                            role.clientConfig(),
                                            topics,
                                            observability.registry())));
        } catch (ModelLoadException e) {
            throw new UserException(e.getMessage(), 1, e);
        }
        return 0;
    }

    private int maxBatch() {
        if (maxBatch != null) {
            return maxBatch;
        }
        return Device.parse(device).kind() == Device.Kind.CPU ? 1 : 8;
    }

    private WorkerSettings settings() {
        if (!livePolicy.equalsIgnoreCase("latest") && !livePolicy.equalsIgnoreCase("all")) {
            throw new IllegalArgumentException(
                    "--live-policy must be latest or all, got '" + livePolicy + "'");
        }
        WorkerSettings.Builder builder =
                WorkerSettings.builder()
                        .groupId(group)
                        .decodeThreads(decodeThreads)
                        .inferenceThreads(inferenceThreads)
                        .batching(maxBatch(), maxBatchWait)
                        .onnxThreads(intraOpThreads, interOpThreads)
                        .device(Device.parse(device))
                        .modelResidency(maxModels, modelLoadWait)
                        .queueCapacity(queueCapacity)
                        .maxStaleness(maxStaleness)
                        .liveDefaultLatest(livePolicy.equalsIgnoreCase("latest"))
                        .exactlyOnce(!atLeastOnce)
                        .transactionTimeout(transactionTimeout)
                        .maxPixels(maxPixels)
                        .claimCheckDir(claimCheckDir)
                        .http(
                                httpPort == null
                                        ? null
                                        : WorkerSettings.HttpInference.on(
                                                        new InetSocketAddress(httpPort),
                                                        httpConcurrency)
                                                .withToken(
                                                        Optional.ofNullable(
                                                                System.getenv(HTTP_TOKEN_ENV)))
                                                .withImageUrls(httpImageUrls));
        ModelCache defaults = ModelCache.defaults();
        ModelCache cache =
                new ModelCache(
                        modelCacheDir != null ? modelCacheDir : defaults.dir(),
                        defaults.maxBytes(),
                        allowPrivateModelUrls);
        builder.modelCache(cache);
        models.stream().map(m -> m.config(cache)).forEach(builder::model);
        if (defaultModel != null) {
            builder.defaultModel(defaultModel);
        }
        return builder.build();
    }
}
