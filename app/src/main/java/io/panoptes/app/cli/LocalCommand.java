package io.panoptes.app.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.panoptes.actions.ActionSettings;
import io.panoptes.actions.ActionsService;
import io.panoptes.actions.FileSink;
import io.panoptes.aggregator.AggregatorService;
import io.panoptes.aggregator.AggregatorSettings;
import io.panoptes.aggregator.counting.WindowSpec;
import io.panoptes.aggregator.query.CountsQueryServer;
import io.panoptes.api.ApiServer;
import io.panoptes.api.ApiSettings;
import io.panoptes.app.local.Demo;
import io.panoptes.app.local.EventLine;
import io.panoptes.app.local.MjpegServer;
import io.panoptes.app.local.OutputVideo;
import io.panoptes.avro.WindowCount;
import io.panoptes.ingest.IngestService;
import io.panoptes.ingest.IngestSettings;
import io.panoptes.ingest.StreamMetrics;
import io.panoptes.ingest.pipeline.ControlSettings;
import io.panoptes.ingest.pipeline.PipelineController;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.kafka.embedded.EmbeddedKafkaBroker;
import io.panoptes.kafka.embedded.LocalCluster;
import io.panoptes.pipeline.geometry.Geometry;
import io.panoptes.pipeline.geometry.ShapeText;
import io.panoptes.pipeline.rules.RuleFile;
import io.panoptes.pipeline.source.SourcePolicy;
import io.panoptes.pipeline.source.SourceUris;
import io.panoptes.runtime.lifecycle.RoleRunner;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.runtime.lifecycle.ShutdownHook;
import io.panoptes.runtime.observability.ObservabilityServer;
import io.panoptes.schemas.topics.TopicSettings;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.worker.WorkerService;
import io.panoptes.worker.WorkerSettings;
import io.panoptes.worker.model.ModelConfig;
import io.panoptes.worker.model.ModelFamily;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "local",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs everything in one process on an embedded Kafka broker (a demo without arguments).",
            "",
            "Ingest, an inference worker, the aggregator, and the action sinks with --rules, all in",
            "this JVM. With no arguments: faces found by BlazeFace in a sample video are blurred into",
            "panoptes-local.mp4, with a progress line and a summary. Other programs can attach to",
            "the broker and schema registry it prints.",
            "",
            "Examples:",
            "  panoptes local",
            "  panoptes local --source street.mp4 --model yolov8n.onnx --model-family yolov8 \\",
            "      --labels person,bicycle,car --line 'street:crossing=0,300,768,300' \\",
            "      --rules rules.yaml --style boxes --output street-annotated.mp4",
            "  panoptes local --source rtsp://camera/stream --stream-id door --no-output --mjpeg-port 8090"
        })
public final class LocalCommand implements Callable<Integer> {

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
    private static final Duration EVENTS_WAIT = Duration.ofSeconds(10);
    private static final Duration EVENTS_QUIET = Duration.ofMillis(1500);
    private static final int EVENTS_SHOWN = 8;

    @Spec private CommandSpec spec;

    @Mixin private MetricsOptions metrics;

    @Option(
            names = "--source",
            paramLabel = "FILE|URL",
            description = "Video file, image folder or stream URL (default: the demo video).")
    private String source;

    @Option(
            names = "--stream-id",
            paramLabel = "ID",
            description = "Stream id (default: the source's file name, or 'demo').")
    private String streamId;

    @Option(
            names = "--demo",
            paramLabel = "faces|people",
            description =
                    "What runs without --source and --model: faces (blurred in Megamind.avi, BlazeFace) or people"
                            + " (counted in vtest.avi with the COCO detector: a line, a zone, rules) (default: faces).")
    private String demo;

    private Demo chosenDemo = Demo.FACES;
    private long eventsBefore;

    @Mixin private ModelOptions models;

    @Option(
            names = "--output",
            defaultValue = "panoptes-local.mp4",
            paramLabel = "FILE",
            description = "Annotated output video (default: ${DEFAULT-VALUE}).")
    private Path output;

    @Option(names = "--no-output", description = "Write no output video.")
    private boolean noOutput;

    @Option(
            names = "--mjpeg-port",
            paramLabel = "PORT",
            description =
                    "Also serve the annotated frames as MJPEG over HTTP on this port (open http://localhost:PORT/ in a browser).")
    private Integer mjpegPort;

    @Option(
            names = "--style",
            paramLabel = "blur|boxes",
            description =
                    "Blur detections or draw boxes (default: blur for faces, boxes otherwise).")
    private String style;

    @Option(
            names = "--window",
            defaultValue = "10s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "Counting window (default: ${DEFAULT-VALUE}).")
    private Duration window;

    @Option(
            names = "--zone",
            paramLabel = "STREAM:NAME=x1,y1,...",
            description = "A zone. Repeatable.")
    private List<String> zones = new ArrayList<>();

    @Option(
            names = "--line",
            paramLabel = "STREAM:NAME=x1,y1,x2,y2",
            description = "A counting line. Repeatable.")
    private List<String> lines = new ArrayList<>();

    @Option(
            names = "--rules",
            paramLabel = "FILE",
            description = "Rules; their events are appended to --events-file.")
    private Path rules;

    @Option(
            names = "--events-file",
            defaultValue = "panoptes-events.jsonl",
            paramLabel = "FILE",
            description =
                    "Where the action sink writes events when --rules is given (default: ${DEFAULT-VALUE}).")
    private Path eventsFile;

    @Option(names = "--realtime", description = "Pace a file at its frame rate, like a camera.")
    private boolean realtime;

    @Option(
            names = "--max-fps",
            paramLabel = "FPS",
            description =
                    "Most frames per second to read (a file waits; a camera or --realtime drops the rest),"
                            + " for a machine slower than the model (default: as fast as inference keeps up).")
    private Double maxFps;

    @Option(
            names = "--kafka-port",
            defaultValue = "0",
            paramLabel = "PORT",
            description = "Broker port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int kafkaPort;

    @Option(
            names = "--registry-port",
            defaultValue = "0",
            paramLabel = "PORT",
            description = "Schema registry port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int registryPort;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description = "Aggregator state (default: a temporary directory).")
    private Path stateDir;

    @Option(
            names = "--api-port",
            defaultValue = "" + ApiSettings.DEFAULT_PORT,
            paramLabel = "PORT",
            description =
                    "Port of the control API ('panoptes pipelines' talks to it); 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int apiPort;

    @Option(
            names = "--api-token",
            paramLabel = "TOKEN",
            description =
                    "Bearer token for the API; without one the API (on loopback only) needs none.")
    private String apiToken;

    @Option(
            names = "--keep-running",
            description =
                    "Keep running after the demo stream ends (for pipelines created through the API), until Ctrl-C.")
    private boolean keepRunning;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Demo demo = this.demo == null ? Demo.FACES : Demo.parse(this.demo);
        chosenDemo = demo;
        String input = source != null ? source : demo.video().toString();
        checkReadable(input);
        String stream =
                streamId != null
                        ? streamId
                        : source == null ? "demo" : SourceUris.defaultStreamId(input);
        ModelConfig modelConfig = models.config(demo.model());
        if (zones.isEmpty() && lines.isEmpty()) {
            zones = demo.zones(stream);
            lines = demo.lines(stream);
        }
        Map<String, Geometry> shapes = ShapeText.parse(zones, lines);
        // built here so that a bad --max-fps is refused before the broker starts
        SourceSpec sourceSpec =
                SourceSpec.builder(input)
                        .streamId(stream)
                        .realtime(realtime)
                        .maxFps(maxFps)
                        .build();
        if (rules == null) {
            rules = demo.rules(Files.createTempDirectory("panoptes-demo")).orElse(null);
        }
        eventsBefore = rules == null ? 0 : lineCount(eventsFile);
        AggregatorSettings.Builder aggregatorSettings =
                AggregatorSettings.builder()
                        .stateDir(
                                stateDir != null
                                        ? stateDir
                                        : Files.createTempDirectory("panoptes-local"))
                        .windows(WindowSpec.tumbling(window, Duration.ofSeconds(1)))
                        .idleTimeout(Duration.ofSeconds(10));
        shapes.forEach(aggregatorSettings::geometry);
        if (rules != null) {
            aggregatorSettings.rules(RuleFile.load(rules, shapes));
        }
        OutputVideo.Style drawing =
                style != null
                        ? OutputVideo.Style.valueOf(style.toUpperCase(Locale.ROOT))
                        : modelConfig.family() == ModelFamily.BLAZEFACE && demo.blur()
                                ? OutputVideo.Style.BLUR
                                : OutputVideo.Style.BOXES;

        Deque<AutoCloseable> running = new ArrayDeque<>();
        try (ShutdownHook hook = ShutdownHook.install("local")) {
            try {
                TopicSettings topicSettings = TopicSettings.builder().build();
                LocalCluster cluster =
                        started(
                                running,
                                new LocalCluster(
                                        EmbeddedKafkaBroker.builder()
                                                .port(kafkaPort)
                                                .brokerProperty(
                                                        "message.max.bytes",
                                                        String.valueOf(
                                                                topicSettings
                                                                        .framesMaxMessageBytes())),
                                        registryPort));
                out.println("bootstrap.servers=" + cluster.bootstrapServers());
                out.println("schema.registry.url=" + cluster.registryUrl());
                out.flush();
                Map<String, Object> kafka = Map.of("bootstrap.servers", cluster.bootstrapServers());
                TopicsCommand.createTopics(
                        kafka,
                        topicSettings,
                        Duration.ofSeconds(30),
                        new PrintWriter(Writer.nullWriter()));
                Topics topics = Topics.create(Topics.DEFAULT_PREFIX, cluster.registry());
                ObservabilityServer observability = push(running, metrics.start("local"));
                MeterRegistry meters = observability.registry();

                WorkerService worker =
                        started(
                                running,
                                new WorkerService(
                                        WorkerSettings.builder().model(modelConfig).build(),
                                        kafka,
                                        topics,
                                        meters));
                CountsQueryServer queries =
                        new CountsQueryServer(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                "127.0.0.1");
                AggregatorService aggregator =
                        started(
                                running,
                                new AggregatorService(
                                        aggregatorSettings.build(),
                                        kafka,
                                        topics,
                                        meters,
                                        queries));
                out.println(
                        "counts=http://127.0.0.1:"
                                + queries.self().port()
                                + CountsQueryServer.path(stream));
                if (rules != null) {
                    started(
                            running,
                            new ActionsService(
                                    ActionSettings.defaults(),
                                    List.of(new FileSink(eventsFile)),
                                    kafka,
                                    topics,
                                    meters,
                                    Clock.systemUTC()));
                }
                OutputVideo video =
                        push(
                                running,
                                new OutputVideo(
                                        stream,
                                        noOutput ? null : output,
                                        drawing,
                                        shapes.getOrDefault(stream, Geometry.NONE),
                                        frameRate(input),
                                        topics,
                                        cluster.bootstrapServers()));
                if (mjpegPort != null) {
                    MjpegServer mjpeg =
                            push(running, new MjpegServer(new InetSocketAddress(mjpegPort)));
                    video.serveMjpeg(mjpeg);
                    out.println("mjpeg=http://localhost:" + mjpeg.port() + "/");
                }
                IngestService ingest =
                        started(
                                running,
                                new IngestService(
                                        IngestSettings.builder().fileLagBound(0).build(),
                                        kafka,
                                        topics,
                                        meters));
                startPipelines(out, running, ingest, kafka, topics, meters, queries);
                for (RoleService service : List.of(cluster, worker, aggregator, ingest)) {
                    observability.addCheck(service.name(), service::health);
                }
                ingest.add(sourceSpec);
                out.println(
                        "panoptes local: "
                                + stream
                                + " from "
                                + SourceUris.redact(input)
                                + " with model "
                                + modelConfig.id()
                                + (noOutput ? "" : ", writing " + output));
                out.flush();
                return follow(
                        out,
                        stream,
                        ingest,
                        worker,
                        video,
                        hook,
                        aggregator,
                        aggregatorSettings.build());
            } finally {
                RoleRunner.closeAll(running);
            }
        }
    }

    /**
     * The control API on loopback and this ingest's share of the pipelines topic: any local file or
     * address may be a source.
     */
    private void startPipelines(
            PrintWriter out,
            Deque<AutoCloseable> running,
            IngestService ingest,
            Map<String, Object> kafka,
            Topics topics,
            MeterRegistry meters,
            CountsQueryServer queries) {
        SourcePolicy anything = SourcePolicy.unrestricted();
        started(
                running,
                new PipelineController(
                        ingest, ControlSettings.defaults(anything), kafka, topics, meters));
        ApiServer api;
        try {
            api = started(running, api(apiPort, anything, kafka, topics, meters, queries));
        } catch (UncheckedIOException e) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--api-port")) {
                throw new UserException(
                        e.getMessage()
                                + " (choose another with --api-port, or 0 for any free port)",
                        1,
                        e);
            }
            out.println(
                    "panoptes local: port "
                            + apiPort
                            + " is taken; the API takes a free port instead");
            api = started(running, api(0, anything, kafka, topics, meters, queries));
        }
        out.println("api=" + api.url());
    }

    private ApiServer api(
            int port,
            SourcePolicy sources,
            Map<String, Object> kafka,
            Topics topics,
            MeterRegistry meters,
            CountsQueryServer queries) {
        return new ApiServer(
                ApiSettings.defaults(sources)
                        .withAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                        .withToken(Optional.ofNullable(apiToken))
                        .withAggregator(
                                Optional.of(
                                        URI.create("http://127.0.0.1:" + queries.self().port()))),
                kafka,
                topics,
                meters);
    }

    /** The progress line until the stream's end-of-stream result is written, then the summary. */
    private int follow(
            PrintWriter out,
            String stream,
            IngestService ingest,
            WorkerService worker,
            OutputVideo video,
            ShutdownHook stopped,
            AggregatorService aggregator,
            AggregatorSettings settings)
            throws InterruptedException {
        long start = System.nanoTime();
        boolean terminal = System.console() != null;
        while (!video.ended() && !stopped.await(PROGRESS_EVERY)) {
            StreamMetrics metrics = ingest.metrics(stream);
            String failure = ingest.failures().get(stream);
            if (failure != null) {
                throw new UserException("cannot ingest " + stream + ": " + failure);
            }
            if (!worker.isRunning()) {
                throw new UserException(
                        "the worker stopped: " + worker.failure().orElse("unknown"));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            String line =
                    String.format(
                            Locale.ROOT,
                            "frames %d | results %d | %.1f fps | in flight %d | objects %d",
                            metrics == null ? 0 : metrics.acknowledged(),
                            video.results(),
                            video.results() / seconds,
                            worker.inFlight(),
                            video.objects());
            out.print(terminal ? "\r" + line : line + "\n");
            out.flush();
        }
        if (!video.ended()) {
            out.println();
            out.println("panoptes local: stopped; committed results stay in the topics");
            return 0;
        }
        if (video.failure() != null) {
            throw new UserException("the output video failed: " + video.failure());
        }
        summary(
                out,
                stream,
                ingest,
                worker,
                video,
                (video.endedAtNanos() - start) / 1e9,
                CountsQueryServer.localCounts(aggregator.streams(), settings, stream));
        if (keepRunning) {
            out.println("panoptes local: the demo ended; still serving pipelines until Ctrl-C");
            out.flush();
            while (!stopped.await(PROGRESS_EVERY)) {
                // serving pipelines until Ctrl-C
            }
        }
        return 0;
    }

    private void summary(
            PrintWriter out,
            String stream,
            IngestService ingest,
            WorkerService worker,
            OutputVideo video,
            double seconds,
            List<WindowCount> counts) {
        StreamMetrics metrics = ingest.metrics(stream);
        long framesIn =
                metrics == null ? 0 : metrics.acknowledged() - 1; // less the end-of-stream record
        long resultsOut = video.results() - 1;
        out.println();
        out.printf(
                Locale.ROOT,
                "summary: %d frames in, %d results out (%d skipped, %d failed), %d objects, %.1f s, %.1f fps%n",
                framesIn,
                resultsOut,
                video.skipped(),
                video.failed(),
                video.objects(),
                seconds,
                resultsOut / seconds);
        out.printf(
                Locale.ROOT,
                "  ingest: decode %.2f ms/frame, encode %.2f ms/frame%s%n",
                metrics == null ? 0 : metrics.decodeMillisPerFrame(),
                metrics == null ? 0 : metrics.encodeMillisPerFrame(),
                // a file read faster than real time is stamped ahead of the clock: its frame ages
                // say nothing
                realtime || source != null && source.contains("://")
                        ? String.format(
                                Locale.ROOT,
                                "; worker: frame->result p50 %d ms, p95 %d ms",
                                worker.p50FrameAge().toMillis(),
                                worker.p95FrameAge().toMillis())
                        : "");
        if (!noOutput) {
            out.printf(Locale.ROOT, "  output: %s, %d frames%n", output, video.framesWritten());
        }
        out.printf(Locale.ROOT, "  memory: peak RSS %d MiB%n", peakRssMiB());
        List<String> labels = chosenDemo.summaryLabels();
        for (WindowCount count : counts) {
            if (!labels.isEmpty() && !labels.contains(count.getLabel())) {
                continue;
            }
            out.printf(
                    Locale.ROOT,
                    "  window %s..%s %s%s: %d unique, max %d at once, %.2f per frame over %d frames%s%s%n",
                    count.getWindowStart(),
                    count.getWindowEnd(),
                    count.getLabel(),
                    count.getZone() == null ? "" : " in " + count.getZone(),
                    count.getUniqueTracks(),
                    count.getMaxConcurrent(),
                    count.getMeanPerFrame(),
                    count.getFramesSeen(),
                    count.getZone() == null && (count.getLineIn() > 0 || count.getLineOut() > 0)
                            ? String.format(
                                    Locale.ROOT,
                                    "; crossed %d in, %d out",
                                    count.getLineIn(),
                                    count.getLineOut())
                            : "",
                    count.getFinal$() ? "" : " (running)");
        }
        if (rules != null) {
            events(out);
        }
        out.flush();
    }

    /** The events this run appended to the events file, once the sink has written them. */
    private void events(PrintWriter out) {
        List<String> appended = List.of();
        try {
            long stableSince = System.nanoTime();
            long deadline = System.nanoTime() + EVENTS_WAIT.toNanos();
            while (System.nanoTime() < deadline
                    && System.nanoTime() - stableSince < EVENTS_QUIET.toNanos()) {
                List<String> now =
                        Files.exists(eventsFile) ? Files.readAllLines(eventsFile) : List.of();
                now = now.subList((int) Math.min(eventsBefore, now.size()), now.size());
                if (now.size() != appended.size()) {
                    appended = now;
                    stableSince = System.nanoTime();
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            out.printf("  events: cannot read %s: %s%n", eventsFile, e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.printf(Locale.ROOT, "  events: %d, appended to %s%n", appended.size(), eventsFile);
        for (String line : appended.subList(0, Math.min(EVENTS_SHOWN, appended.size()))) {
            out.println("    " + EventLine.of(line));
        }
        if (appended.size() > EVENTS_SHOWN) {
            out.printf("    ... and %d more%n", appended.size() - EVENTS_SHOWN);
        }
    }

    private static long lineCount(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var lines = Files.lines(file)) {
            return lines.count();
        }
    }

    /**
     * A local file (not a URL) must exist, be readable and not be empty; streams are checked by
     * ingest.
     */
    private static void checkReadable(String input) {
        if (input.contains("://") || input.startsWith("/dev/video")) {
            return;
        }
        Path file = Path.of(input);
        if (!Files.exists(file)) {
            throw new UserException("cannot open " + input + ": no such file or directory");
        }
        if (!Files.isReadable(file)) {
            throw new UserException("cannot open " + input + ": not readable");
        }
        try {
            if (Files.isRegularFile(file) && Files.size(file) == 0) {
                throw new UserException("cannot open " + input + ": the file is empty");
            }
        } catch (IOException e) {
            throw new UserException("cannot open " + input + ": " + e.getMessage());
        }
    }

    /** A file's frame rate for the output video; 25 for streams or when it cannot be told. */
    private static double frameRate(String input) {
        if (input.contains("://") || Files.isDirectory(Path.of(input))) {
            return 25;
        }
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(input)) {
            grabber.start();
            double rate = grabber.getFrameRate();
            grabber.stop();
            return rate > 0 && rate < 1000 ? rate : 25;
        } catch (Exception e) {
            return 25;
        }
    }

    /** Starts {@code service} and keeps it to be closed, last started first. */
    private static <T extends RoleService> T started(Deque<AutoCloseable> running, T service) {
        service.start();
        running.push(service);
        return service;
    }

    private static <T extends AutoCloseable> T push(Deque<AutoCloseable> running, T component) {
        running.push(component);
        return component;
    }

    /** The process's peak resident memory (Linux), or -1 where /proc is not there. */
    private static long peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }
}
