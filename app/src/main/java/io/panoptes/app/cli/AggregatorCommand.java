package io.panoptes.app.cli;

import io.panoptes.aggregator.AggregatorService;
import io.panoptes.aggregator.AggregatorSettings;
import io.panoptes.aggregator.counting.WindowSpec;
import io.panoptes.aggregator.query.CountsQueryServer;
import io.panoptes.aggregator.tracking.TrackerSettings;
import io.panoptes.pipeline.geometry.Geometry;
import io.panoptes.pipeline.geometry.ShapeText;
import io.panoptes.pipeline.rules.RuleFile;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "aggregator",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Tracks objects and counts them in windows, per stream (Kafka Streams, exactly-once).",
            "",
            "Reads the detections topic; writes the tracks, counts and events topics; answers",
            "GET /v1/counts?stream=... on --query-port. Windows go by each stream's own clock.",
            "Zones and lines of a stream's pipeline (the pipelines topic) take precedence over",
            "--zone and --line.",
            "",
            "Examples:",
            "  panoptes aggregator --bootstrap-servers localhost:9092 --registry-url http://localhost:8081",
            "  panoptes aggregator --window 30s --early-updates 5s --rules rules.yaml \\",
            "      --zone 'cam-1:door=100,100,300,100,300,400,100,400' --line 'cam-1:gate=0,240,640,240'",
            "  curl 'http://localhost:8083/v1/counts?stream=cam-1&label=person'"
        })
public final class AggregatorCommand implements Callable<Integer> {

    @Mixin private RoleOptions role;

    @Option(
            names = "--application-id",
            defaultValue = AggregatorSettings.DEFAULT_APPLICATION_ID,
            paramLabel = "ID",
            description =
                    "Kafka Streams application id, shared by the instances (default: ${DEFAULT-VALUE}).")
    private String applicationId;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description = "Where the state stores live (default: ~/.cache/panoptes/aggregator).")
    private Path stateDir;

    @Option(
            names = "--window",
            defaultValue = AggregatorSettings.DEFAULT_WINDOW,
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "Window size (default: ${DEFAULT-VALUE}).")
    private Duration window;

    @Option(
            names = "--advance",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "A new window every DURATION: hopping windows (default: the window size, tumbling).")
    private Duration advance;

    @Option(
            names = "--grace",
            defaultValue = AggregatorSettings.DEFAULT_GRACE,
            converter = DurationConverter.ZeroOrMore.class,
            paramLabel = "DURATION",
            description =
                    "How long after its end a window still takes late results (default: ${DEFAULT-VALUE}).")
    private Duration grace;

    @Option(
            names = "--early-updates",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "Also emit running counts (final=false) this often (default: final counts only).")
    private Duration earlyUpdates;

    @Option(
            names = "--idle-timeout",
            defaultValue = AggregatorSettings.DEFAULT_IDLE_TIMEOUT,
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "Close a stream's windows after it has sent nothing for this long (default: ${DEFAULT-VALUE}).")
    private Duration idleTimeout;

    @Option(
            names = "--reorder-buffer",
            defaultValue = "" + AggregatorSettings.DEFAULT_REORDER_BUFFER,
            paramLabel = "N",
            description =
                    "Results per stream held back waiting for a missing one (default: ${DEFAULT-VALUE}).")
    private int reorderBuffer;

    @Option(
            names = "--max-future-skew",
            defaultValue = AggregatorSettings.DEFAULT_MAX_FUTURE_SKEW,
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "LIVE results stamped further ahead of this clock are not counted (default: ${DEFAULT-VALUE}).")
    private Duration maxFutureSkew;

    @Option(
            names = "--lost-track-buffer",
            defaultValue = "" + TrackerSettings.DEFAULT_LOST_BUFFER,
            paramLabel = "FRAMES",
            description = "Frames a track survives unseen (default: ${DEFAULT-VALUE}).")
    private int lostTrackBuffer;

    @Option(
            names = "--zone",
            paramLabel = "STREAM:NAME=x1,y1,x2,y2,x3,y3...",
            description = "A zone (polygon) of a stream. Repeatable.")
    private List<String> zones = new ArrayList<>();

    @Option(
            names = "--line",
            paramLabel = "STREAM:NAME=x1,y1,x2,y2",
            description =
                    "A counting line of a stream; crossing from its left to its right (looking from start to end) is in. Repeatable.")
    private List<String> lines = new ArrayList<>();

    @Option(
            names = "--rules",
            paramLabel = "FILE",
            description =
                    "Rules (YAML or JSON) whose events go to the events topic; see docs/rules.md. A pipeline's own rules apply too.")
    private Path rulesFile;

    @Option(
            names = "--query-port",
            defaultValue = "" + AggregatorSettings.DEFAULT_QUERY_PORT,
            paramLabel = "PORT",
            description =
                    "Port for GET /v1/counts (0 picks a free one; default: ${DEFAULT-VALUE}).")
    private int queryPort;

    @Option(
            names = "--query-host",
            defaultValue = AggregatorSettings.DEFAULT_QUERY_HOST,
            paramLabel = "HOST",
            description =
                    "Host name other instances reach this one at (default: ${DEFAULT-VALUE}).")
    private String queryHost;

    @Option(
            names = "--standby-replicas",
            defaultValue = "" + AggregatorSettings.DEFAULT_STANDBY_REPLICAS,
            paramLabel = "N",
            description =
                    "Warm copies of each state store on other instances (default: ${DEFAULT-VALUE}).")
    private int standbyReplicas;

    @Override
    public Integer call() throws InterruptedException {
        AggregatorSettings settings = settings();
        RoleRun.run(
                "aggregator",
                role.metrics(),
                observability ->
                        List.of(
                                new AggregatorService(
                                        settings,
                                        role.clientConfig(),
                                        role.topics(),
                                        observability.registry(),
                                        new CountsQueryServer(
                                                new InetSocketAddress(queryPort), queryHost))));
        return 0;
    }

    private AggregatorSettings settings() {
        AggregatorSettings.Builder builder =
                AggregatorSettings.builder()
                        .applicationId(applicationId)
                        .stateDir(
                                stateDir != null
                                        ? stateDir
                                        : Path.of(
                                                System.getProperty("user.home"),
                                                ".cache",
                                                "panoptes",
                                                "aggregator"))
                        .windows(new WindowSpec(window, advance != null ? advance : window, grace))
                        .earlyUpdates(earlyUpdates)
                        .idleTimeout(idleTimeout)
                        .reorderBuffer(reorderBuffer)
                        .maxFutureSkew(maxFutureSkew)
                        .tracker(TrackerSettings.defaults().withLostBuffer(lostTrackBuffer))
                        .standbyReplicas(standbyReplicas);
        Map<String, Geometry> shapes = ShapeText.parse(zones, lines);
        shapes.forEach(builder::geometry);
        if (rulesFile != null) {
            builder.rules(RuleFile.load(rulesFile, shapes));
        }
        return builder.build();
    }
}
