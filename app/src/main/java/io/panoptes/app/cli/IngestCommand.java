package io.panoptes.app.cli;

import io.panoptes.avro.FrameEncoding;
import io.panoptes.ingest.IngestService;
import io.panoptes.ingest.IngestSettings;
import io.panoptes.ingest.encode.EncodingSettings;
import io.panoptes.ingest.pipeline.ControlSettings;
import io.panoptes.ingest.pipeline.PipelineController;
import io.panoptes.ingest.source.DecoderSettings;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.pipeline.source.SourceType;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.runtime.observability.ObservabilityServer;
import io.panoptes.schemas.topics.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code panoptes ingest}: decode sources into the frames topic. */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Decode video files, images, image folders, cameras and network streams (RTSP, RTMP, HTTP MJPEG, "
                        + "HLS, V4L2) into the frames topic, one thread per source. Live sources drop frames to keep up and "
                        + "reconnect when lost; files wait and end with an end-of-stream frame. Live rates fall while the "
                        + "workers' consumer group lags, files pause. Exits when every finite source has ended (non-zero "
                        + "when one failed), or on SIGTERM/Ctrl-C.",
        footer = {
            "",
            "Examples:",
            "  panoptes ingest --source videos/Megamind.avi",
            "  panoptes ingest --source rtsp://cam1/h264 --stream-id door --max-fps 10 \\",
            "                  --source rtsp://cam2/h264 --stream-id yard --max-fps 5",
            "  panoptes ingest --source http://127.0.0.1:8080/cam --source /data/frames/ --jpeg-quality 90",
            "  panoptes ingest --source vtest.avi --realtime      # a file paced like a camera",
            "  panoptes ingest --pipelines --source-dir /data/videos --allow-private-sources   # run pipelines from the API",
        })
public final class IngestCommand implements Callable<Integer> {

    /** One {@code --source} and the options that follow it. */
    static final class SourceOption {
        @Option(
                names = "--source",
                required = true,
                paramLabel = "URI",
                description =
                        "File, image, folder of images, rtsp://, rtmp://, http(s):// (MJPEG, HLS) or /dev/videoN. Repeatable.")
        String uri;

        @Option(
                names = "--stream-id",
                paramLabel = "ID",
                description = "Key of this source's frames (default: file name or URL).")
        String streamId;

        @Option(
                names = "--max-fps",
                paramLabel = "FPS",
                description = "Most frames per second to publish (live: drop; file: wait).")
        Double maxFps;

        @Option(
                names = "--realtime",
                description = "Pace a file at its native rate, like a camera (it is then LIVE).")
        boolean realtime;

        @Option(
                names = "--pipeline-id",
                paramLabel = "ID",
                description = "Pipeline id copied to every frame.")
        String pipelineId;

        @Option(
                names = "--model-id",
                paramLabel = "ID",
                description = "Model id copied to every frame.")
        String modelId;

        @Option(
                names = "--ffmpeg-option",
                paramLabel = "KEY=VALUE",
                description = "FFmpeg input option, e.g. rtsp_transport=udp.")
        Map<String, String> options = new LinkedHashMap<>();

        SourceSpec spec() {
            SourceSpec.Builder builder =
                    SourceSpec.builder(uri)
                            .streamId(streamId)
                            .maxFps(maxFps)
                            .realtime(realtime)
                            .pipelineId(pipelineId)
                            .modelId(modelId);
            options.forEach(builder::option);
            return builder.build();
        }
    }

    @Spec private CommandSpec spec;

    @ArgGroup(exclusive = false, multiplicity = "0..*")
    private List<SourceOption> sources = new ArrayList<>();

    @Option(
            names = "--pipelines",
            description =
                    "Also run the pipelines of the pipelines topic that this instance is given: "
                            + "ingest instances with the same --pipelines-group share them, and take over those of an instance that stops.")
    private boolean pipelines;

    @Option(
            names = "--pipelines-group",
            defaultValue = ControlSettings.DEFAULT_GROUP,
            paramLabel = "GROUP",
            description =
                    "Consumer group of the ingest instances sharing pipelines (default: ${DEFAULT-VALUE}).")
    private String pipelinesGroup;

    @Option(
            names = "--instance-id",
            paramLabel = "ID",
            description = "This instance in pipeline statuses (default: pid@host).")
    private String instanceId;

    @Mixin private SourcePolicyOptions sourcePolicy;

    @Mixin private RoleOptions role;

    @Option(
            names = "--encoding",
            defaultValue = EncodingSettings.DEFAULT_ENCODING,
            paramLabel = "JPEG|PNG|RAW_BGR24",
            description = "Frame encoding (default: ${DEFAULT-VALUE}).")
    private FrameEncoding encoding;

    @Option(
            names = "--jpeg-quality",
            defaultValue = "" + EncodingSettings.DEFAULT_JPEG_QUALITY,
            paramLabel = "1-100",
            description = "JPEG quality (default: ${DEFAULT-VALUE}).")
    private int jpegQuality;

    @Option(
            names = "--max-width",
            defaultValue = "" + EncodingSettings.DEFAULT_MAX_WIDTH,
            paramLabel = "PIXELS",
            description =
                    "Scale wider frames down to this width; 0 keeps the size (default: ${DEFAULT-VALUE}).")
    private int maxWidth;

    @Option(
            names = "--max-pixels",
            defaultValue = "" + DecoderSettings.DEFAULT_MAX_PIXELS,
            paramLabel = "N",
            description =
                    "Refuse sources whose frames have more pixels (default: ${DEFAULT-VALUE}, 8K).")
    private long maxPixels;

    @Option(
            names = "--decoder-threads",
            defaultValue = "" + DecoderSettings.DEFAULT_DECODER_THREADS,
            paramLabel = "N",
            description = "FFmpeg decoder threads per source (default: ${DEFAULT-VALUE}).")
    private int decoderThreads;

    @Option(
            names = "--network-timeout",
            defaultValue = DecoderSettings.DEFAULT_NETWORK_TIMEOUT,
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "A live source that sends nothing this long is lost and reconnected (default: ${DEFAULT-VALUE}).")
    private Duration networkTimeout;

    @Option(
            names = "--reconnect-max-delay",
            defaultValue = IngestSettings.DEFAULT_RECONNECT_MAX_DELAY,
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "Longest wait between reconnects; waits start at 1 s and double (default: ${DEFAULT-VALUE}).")
    private Duration reconnectCap;

    @Option(
            names = "--reconnect-attempts",
            defaultValue = "" + IngestSettings.DEFAULT_RECONNECT_ATTEMPTS,
            paramLabel = "N",
            description =
                    "Give a lost live source up after N failed reconnects; 0 retries forever (default: ${DEFAULT-VALUE}).")
    private int reconnectAttempts;

    @Option(
            names = "--worker-group",
            defaultValue = IngestSettings.DEFAULT_WORKER_GROUP,
            paramLabel = "GROUP",
            description =
                    "Consumer group of the inference workers, whose lag throttles ingest (default: ${DEFAULT-VALUE}).")
    private String workerGroup;

    @Option(
            names = "--live-lag-high",
            defaultValue = "" + IngestSettings.DEFAULT_LIVE_LAG_HIGH,
            paramLabel = "RECORDS",
            description =
                    "Workers' lag above which live sources halve their rate (default: ${DEFAULT-VALUE}).")
    private long liveLagHigh;

    @Option(
            names = "--live-lag-low",
            defaultValue = "" + IngestSettings.DEFAULT_LIVE_LAG_LOW,
            paramLabel = "RECORDS",
            description =
                    "Lag below which live sources raise their rate again (default: ${DEFAULT-VALUE}).")
    private long liveLagLow;

    @Option(
            names = "--file-lag-bound",
            defaultValue = "" + IngestSettings.DEFAULT_FILE_LAG_BOUND,
            paramLabel = "RECORDS",
            description =
                    "Lag above which files stop reading until it drains; 0 never pauses (default: ${DEFAULT-VALUE}).")
    private long fileLagBound;

    @Option(
            names = "--claim-check-dir",
            paramLabel = "DIR",
            description =
                    "Where frames too large for a record are stored (default: the temp folder's panoptes-claim-check).")
    private Path claimCheckDir;

    @Override
    public Integer call() throws InterruptedException {
        if (sources.isEmpty() && !pipelines) {
            throw new IllegalArgumentException(
                    "nothing to ingest: give --source URI (repeatable) or --pipelines");
        }
        List<SourceSpec> specs = sources.stream().map(SourceOption::spec).toList();
        IngestSettings settings = settings();
        Topics topics = role.topics();
        Map<String, Object> clientConfig = role.clientConfig();
        requireTopic(clientConfig, topics.frames().name());
        if (pipelines) {
            requireTopic(clientConfig, topics.pipelines().name());
        }
        boolean finite = !pipelines && specs.stream().allMatch(IngestCommand::isFinite);
        IngestService[] service = new IngestService[1];
        RoleRun.run(
                "ingest",
                role.metrics(),
                observability -> {
                    IngestService ingest =
                            new IngestService(
                                    settings, clientConfig, topics, observability.registry());
                    service[0] = ingest;
                    RoleService withSources = ingest.onStart(() -> specs.forEach(ingest::add));
                    return pipelines
                            ? List.of(
                                    withSources,
                                    controller(ingest, clientConfig, topics, observability))
                            : List.of(withSources);
                },
                () -> finite && ended(service[0]));
        return report(service[0].failures());
    }

    private static boolean ended(IngestService service) {
        try {
            return service.awaitEnded(Duration.ofMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private PipelineController controller(
            IngestService service,
            Map<String, Object> clientConfig,
            Topics topics,
            ObservabilityServer observability) {
        ControlSettings settings =
                ControlSettings.defaults(sourcePolicy.policy()).withGroup(pipelinesGroup);
        if (instanceId != null) {
            settings = settings.withInstanceId(instanceId);
        }
        return new PipelineController(
                service, settings, clientConfig, topics, observability.registry());
    }

    private IngestSettings settings() {
        IngestSettings.Builder builder =
                IngestSettings.builder()
                        .decoder(new DecoderSettings(decoderThreads, networkTimeout, maxPixels))
                        .encoding(new EncodingSettings(encoding, jpegQuality, maxWidth))
                        .reconnect(
                                IngestSettings.Builder.reconnect(reconnectCap, reconnectAttempts))
                        .workerGroup(workerGroup)
                        .liveLag(liveLagLow, liveLagHigh)
                        .fileLagBound(fileLagBound);
        if (claimCheckDir != null) {
            builder.claimCheckDir(claimCheckDir);
        }
        return builder.build();
    }

    private static boolean isFinite(SourceSpec spec) {
        return spec.type() == SourceType.FILE
                || spec.type() == SourceType.IMAGE
                || spec.type() == SourceType.IMAGE_FOLDER;
    }

    /** Producing to a missing topic would block for a minute; say what to do instead. */
    private static void requireTopic(Map<String, Object> clientConfig, String topic) {
        Map<String, Object> config = new LinkedHashMap<>(clientConfig);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin admin = Admin.create(config)) {
            if (!admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(topic)) {
                throw new UserException(
                        "topic "
                                + topic
                                + " does not exist: create the topics first with"
                                + " 'panoptes topics create' (same --prefix and Kafka settings)");
            }
        } catch (UserException e) {
            throw e;
        } catch (Exception e) {
            throw new UserException(
                    "cannot reach Kafka at "
                            + config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)
                            + " within 15 s: "
                            + e,
                    UserException.UNREACHABLE,
                    e);
        }
    }

    private int report(Map<String, String> failures) {
        PrintWriter err = spec.commandLine().getErr();
        failures.forEach(
                (stream, reason) ->
                        err.println("panoptes ingest: stream " + stream + " failed: " + reason));
        err.flush();
        return failures.isEmpty() ? 0 : 1;
    }
}
