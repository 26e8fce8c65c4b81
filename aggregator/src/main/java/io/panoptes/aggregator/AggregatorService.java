package io.panoptes.aggregator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.panoptes.aggregator.query.CountsQueryServer;
import io.panoptes.aggregator.topology.AggregatorMetrics;
import io.panoptes.aggregator.topology.AggregatorTopology;
import io.panoptes.aggregator.topology.DeadLetterHandlers;
import io.panoptes.runtime.lifecycle.Lifecycle;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.runtime.observability.HealthCheck;
import io.panoptes.schemas.topics.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator: a Kafka Streams application (exactly-once v2) over the detections topic that
 * writes the tracks and counts topics. Logs every state change; healthy while running or
 * rebalancing. An unexpected error stops this instance (its tasks move to the others) and makes it
 * unhealthy, rather than looping on the same failure. Nothing runs before {@link #start()}.
 */
public final class AggregatorService implements RoleService {

    private static final Logger log = LoggerFactory.getLogger(AggregatorService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final AggregatorSettings settings;
    private final Map<String, Object> kafkaConfig;
    private final Topics topics;
    private final MeterRegistry meters;
    private final CountsQueryServer queries;
    private final AggregatorMetrics metrics;
    private final Lifecycle lifecycle = new Lifecycle("the aggregator");
    private KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;
    private volatile String failure;

    /**
     * An aggregator; it owns {@code queries} from now on and closes it.
     *
     * @param kafkaConfig Kafka client settings (bootstrap servers, security)
     * @param queries where counts queries are served (its port is this instance's
     *     application.server), or null for none
     */
    public AggregatorService(
            AggregatorSettings settings,
            Map<String, Object> kafkaConfig,
            Topics topics,
            MeterRegistry meters,
            CountsQueryServer queries) {
        this.settings = settings;
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.topics = topics;
        this.meters = meters;
        this.metrics = new AggregatorMetrics(meters);
        this.queries = queries;
    }

    @Override
    public String name() {
        return "aggregator";
    }

    /** Builds the topology and starts Kafka Streams; counts queries are answered from then on. */
    @Override
    public synchronized void start() {
        lifecycle.start();
        String applicationServer =
                queries == null ? null : queries.self().host() + ":" + queries.self().port();
        streams =
                new KafkaStreams(
                        AggregatorTopology.build(settings, topics, metrics),
                        streamsConfig(settings, kafkaConfig, topics, applicationServer, metrics));
        streams.setStateListener((now, before) -> log.info("aggregator {} -> {}", before, now));
        streams.setUncaughtExceptionHandler(
                error -> {
                    failure = error.toString();
                    log.error("aggregator stopped: {}", error.toString(), error);
                    return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                            .SHUTDOWN_CLIENT;
                });
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(meters);
        streams.start();
        if (queries != null) {
            queries.serve(streams, settings);
        }
    }

    /**
     * The Kafka Streams configuration of the aggregator (also used by tests with the topology test
     * driver).
     */
    public static Properties streamsConfig(
            AggregatorSettings settings,
            Map<String, Object> kafkaConfig,
            Topics topics,
            String applicationServer,
            AggregatorMetrics metrics) {
        Properties props = new Properties();
        // defaults the configuration may override: a stream thread per core (the work is CPU-bound
        // and
        // tasks follow partitions), and tracks batched 256 KB at a time (16 KB batches cost 10 % of
        // the
        // throughput in docs/benchmarks.md)
        props.put(
                StreamsConfig.NUM_STREAM_THREADS_CONFIG,
                Runtime.getRuntime().availableProcessors());
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
        props.putAll(kafkaConfig);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, settings.standbyReplicas());
        props.put(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterHandlers.Deserialization.class);
        props.put(
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterHandlers.Processing.class);
        props.put(DeadLetterHandlers.DLQ_TOPIC, topics.dlq().name());
        props.put(DeadLetterHandlers.METRICS, metrics);
        if (applicationServer != null) {
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
        }
        return props;
    }

    /** Where this instance answers counts queries ({@code host:port}), or null. */
    public String queryHost() {
        return queries == null ? null : queries.self().host() + ":" + queries.self().port();
    }

    public KafkaStreams streams() {
        lifecycle.requireStarted();
        return streams;
    }

    public AggregatorMetrics metrics() {
        return metrics;
    }

    public KafkaStreams.State state() {
        lifecycle.requireStarted();
        return streams.state();
    }

    /**
     * Healthy while running or rebalancing; down, with the reason, once it has stopped on an error.
     */
    @Override
    public HealthCheck.Health health() {
        if (!lifecycle.isStarted()) {
            return HealthCheck.Health.down(lifecycle.isClosed() ? "stopped" : "not started");
        }
        KafkaStreams.State state = streams.state();
        if (state == KafkaStreams.State.RUNNING
                || state == KafkaStreams.State.REBALANCING
                || state == KafkaStreams.State.CREATED) {
            return HealthCheck.Health.up(state.name());
        }
        return HealthCheck.Health.down(state.name() + (failure == null ? "" : ": " + failure));
    }

    /**
     * Why the aggregator stopped on its own (an error, or Kafka Streams ending), or empty while it
     * runs.
     */
    @Override
    public Optional<String> failure() {
        if (failure != null) {
            return Optional.of(failure);
        }
        boolean ended =
                lifecycle.isStarted()
                        && (streams.state() == KafkaStreams.State.ERROR
                                || streams.state() == KafkaStreams.State.NOT_RUNNING);
        return ended ? Optional.of("Kafka Streams is " + streams.state()) : Optional.empty();
    }

    /** Stops cleanly: commits, leaves the group (so its tasks move at once), closes the stores. */
    @Override
    public synchronized void close() {
        boolean started = lifecycle.isStarted();
        if (!lifecycle.close()) {
            return;
        }
        if (started) {
            streams.close(
                    CloseOptions.timeout(CLOSE_TIMEOUT)
                            .withGroupMembershipOperation(
                                    CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            streamsMetrics.close();
        }
        if (queries != null) {
            queries.close();
        }
        log.info("aggregator stopped");
    }
}
