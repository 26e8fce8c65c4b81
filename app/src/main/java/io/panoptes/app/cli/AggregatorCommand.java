package io.panoptes.app.cli;

import io.panoptes.aggregator.AggregatorService;
import io.panoptes.aggregator.AggregatorSettings;
import io.panoptes.aggregator.counting.WindowSpec;
import io.panoptes.aggregator.geometry.Geometry;
import io.panoptes.aggregator.geometry.ShapeText;
import io.panoptes.aggregator.rules.RuleFile;
import io.panoptes.aggregator.query.CountsQueryServer;
import io.panoptes.aggregator.tracking.TrackerSettings;
import io.panoptes.observability.ObservabilityServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "aggregator", mixinStandardHelpOptions = true, sortOptions = false,
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

    @Mixin
    private RoleOptions role;

    @Option(names = "--application-id", defaultValue = AggregatorSettings.DEFAULT_APPLICATION_ID, paramLabel = "ID",
            description = "Kafka Streams application id, shared by the instances (default: ${DEFAULT-VALUE}).")
    private String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the state stores live (default: ~/.cache/panoptes/aggregator).")
    private Path stateDir;

    @Option(names = "--window", defaultValue = "1m", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Window size (default: ${DEFAULT-VALUE}).")
    private Duration window;

    @Option(names = "--advance", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "A new window every DURATION: hopping windows (default: the window size, tumbling).")
    private Duration advance;

    @Option(names = "--grace", defaultValue = "5s", converter = DurationConverter.ZeroOrMore.class, paramLabel = "DURATION",
            description = "How long after its end a window still takes late results (default: ${DEFAULT-VALUE}).")
    private Duration grace;

    @Option(names = "--early-updates", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Also emit running counts (final=false) this often (default: final counts only).")
    private Duration earlyUpdates;

    @Option(names = "--idle-timeout", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Close a stream's windows after it has sent nothing for this long (default: ${DEFAULT-VALUE}).")
    private Duration idleTimeout;

    @Option(names = "--reorder-buffer", defaultValue = "64", paramLabel = "N",
            description = "Results per stream held back waiting for a missing one (default: ${DEFAULT-VALUE}).")
    private int reorderBuffer;

    @Option(names = "--max-future-skew", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "LIVE results stamped further ahead of this clock are not counted (default: ${DEFAULT-VALUE}).")
    private Duration maxFutureSkew;

    @Option(names = "--lost-track-buffer", defaultValue = "30", paramLabel = "FRAMES",
            description = "Frames a track survives unseen (default: ${DEFAULT-VALUE}).")
    private int lostTrackBuffer;

    @Option(names = "--zone", paramLabel = "STREAM:NAME=x1,y1,x2,y2,x3,y3...", description = "A zone (polygon) of a stream. Repeatable.")
    private List<String> zones = new ArrayList<>();

    @Option(names = "--line", paramLabel = "STREAM:NAME=x1,y1,x2,y2",
            description = "A counting line of a stream; crossing from its left to its right (looking from start to end) is in. Repeatable.")
    private List<String> lines = new ArrayList<>();

    @Option(names = "--rules", paramLabel = "FILE",
            description = "Rules (YAML or JSON) whose events go to the events topic; see docs/rules.md. A pipeline's own rules apply too.")
    private Path rulesFile;

    @Option(names = "--query-port", defaultValue = "8083", paramLabel = "PORT",
            description = "Port for GET /v1/counts (0 picks a free one; default: ${DEFAULT-VALUE}).")
    private int queryPort;

    @Option(names = "--query-host", defaultValue = "localhost", paramLabel = "HOST",
            description = "Host name other instances reach this one at (default: ${DEFAULT-VALUE}).")
    private String queryHost;

    @Option(names = "--standby-replicas", defaultValue = "0", paramLabel = "N",
            description = "Warm copies of each state store on other instances (default: ${DEFAULT-VALUE}).")
    private int standbyReplicas;

    @Override
    public Integer call() throws InterruptedException {
        AggregatorSettings settings = settings();
        CountDownLatch stopped = new CountDownLatch(1);
        try (ObservabilityServer observability = role.startObservability("aggregator")) {
            CountsQueryServer queries = new CountsQueryServer(new InetSocketAddress(queryPort), queryHost);
            AggregatorService aggregator = new AggregatorService(settings, role.clientConfig(), role.topics(),
                    observability.registry(), queries);
            observability.addCheck("aggregator", aggregator.health());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                aggregator.close();
                stopped.countDown();
            }, "aggregator-shutdown"));
            while (!stopped.await(1, TimeUnit.SECONDS)) {
                KafkaStreams.State state = aggregator.state();
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                    throw new UserException("aggregator stopped: " + aggregator.failure());
                }
            }
            return 0;
        }
    }

    private AggregatorSettings settings() {
        TrackerSettings defaults = TrackerSettings.defaults();
        AggregatorSettings.Builder builder = AggregatorSettings.builder()
                .applicationId(applicationId)
                .stateDir(stateDir != null ? stateDir : Path.of(System.getProperty("user.home"), ".cache", "panoptes", "aggregator"))
                .windows(new WindowSpec(window, advance != null ? advance : window, grace))
                .earlyUpdates(earlyUpdates)
                .idleTimeout(idleTimeout)
                .reorderBuffer(reorderBuffer)
                .maxFutureSkew(maxFutureSkew)
                .tracker(new TrackerSettings(defaults.highScore(), defaults.lowScore(), defaults.newTrackScore(),
                        defaults.firstMatchIou(), defaults.secondMatchIou(), lostTrackBuffer))
                .standbyReplicas(standbyReplicas);
        Map<String, Geometry> shapes = ShapeText.parse(zones, lines);
        shapes.forEach(builder::geometry);
        if (rulesFile != null) {
            builder.rules(RuleFile.load(rulesFile, shapes));
        }
        return builder.build();
    }
}
