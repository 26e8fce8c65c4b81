package io.panoptes.ingest.pipeline;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.PipelineState;
import io.panoptes.avro.PipelineStatus;
import io.panoptes.ingest.IngestService;
import io.panoptes.ingest.StreamMetrics;
import io.panoptes.pipeline.PipelineSpecs;
import io.panoptes.pipeline.source.SourceUris;
import io.panoptes.runtime.kafka.ClientConfigs;
import io.panoptes.runtime.lifecycle.Lifecycle;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.runtime.observability.HealthCheck;
import io.panoptes.schemas.topics.CompactedView;
import io.panoptes.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pipelines this ingest instance owns. Ingest instances share the pipelines topic through
 * a consumer group; each reads its partitions from the beginning on assignment and never commits,
 * so it always acts on every pipeline's latest spec, and a pipeline moves with its partition when
 * an instance dies or joins (cooperative rebalancing, so the pipelines that stay keep running).
 * Each owned pipeline's {@link PipelineStatus} is published on every change and periodically. A
 * finite pipeline that already ended or failed at its current version is not run again when its
 * partition moves. Owns, from {@link #start()}, a thread, a consumer, a producer and a view of the
 * statuses: close it (its pipelines stop; their partitions go to the other instances).
 */
public final class PipelineController implements RoleService {

    private static final Logger log = LoggerFactory.getLogger(PipelineController.class);

    private final IngestService ingest;
    private final ControlSettings settings;
    private final Topics topics;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry meters;
    private final Lifecycle lifecycle = new Lifecycle("the pipeline controller");
    private final Map<String, Owned> owned = new ConcurrentHashMap<>();
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, PipelineStatus> statusProducer;
    private CompactedView<PipelineStatus> statuses;
    private Thread thread;
    private volatile boolean running = true;
    private volatile boolean stopped;
    private long lastStatusNanos;

    /**
     * A pipeline this instance owns; {@code fixedState} is set when no source runs (paused,
     * terminated, invalid, done).
     */
    private static final class Owned {
        PipelineSpec spec;
        final int partition;
        PipelineState fixedState;
        String fixedReason;
        long ackedBefore;
        long statusNanos = System.nanoTime();

        Owned(PipelineSpec spec, int partition) {
            this.spec = spec;
            this.partition = partition;
        }
    }

    public PipelineController(
            IngestService ingest,
            ControlSettings settings,
            Map<String, Object> kafkaConfig,
            Topics topics,
            MeterRegistry meters) {
        this.ingest = ingest;
        this.settings = settings;
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.topics = topics;
        this.meters = meters;
    }

    @Override
    public String name() {
        return "pipelines";
    }

    /** Joins the group sharing the pipelines topic and starts running what it is given. */
    @Override
    public synchronized void start() {
        lifecycle.start();
        consumer =
                new KafkaConsumer<>(
                        consumerConfig(kafkaConfig, settings),
                        new StringDeserializer(),
                        new ByteArrayDeserializer());
        statusProducer =
                new KafkaProducer<>(
                        producerConfig(kafkaConfig),
                        new StringSerializer(),
                        topics.pipelineStatus().valueSerde().serializer());
        statuses = new CompactedView<>(kafkaConfig, topics.pipelineStatus(), "ingest-statuses");
        Gauge.builder("panoptes.ingest.pipelines.owned", owned, Map::size)
                .description("Pipelines this ingest instance owns")
                .register(meters);
        thread = new Thread(this::run, "pipeline-controller");
        thread.start();
        log.info(
                "sharing pipelines of {} in group {} as {}",
                topics.pipelines().name(),
                settings.group(),
                settings.instanceId());
    }

    private static Map<String, Object> consumerConfig(
            Map<String, Object> kafkaConfig, ControlSettings settings) {
        return ClientConfigs.of(kafkaConfig, "ingest-pipelines")
                .require(ConsumerConfig.GROUP_ID_CONFIG, settings.group())
                .require(
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false) // positions never matter: every assignment re-reads
                .require(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .require(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .require(
                        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                        CooperativeStickyAssignor.class.getName())
                .build();
    }

    private static Map<String, Object> producerConfig(Map<String, Object> kafkaConfig) {
        return ClientConfigs.of(kafkaConfig, "ingest-status")
                .tune(ProducerConfig.LINGER_MS_CONFIG, 5)
                .require(ProducerConfig.ACKS_CONFIG, "all")
                .build();
    }

    /** The ids of the pipelines this instance owns now. */
    public List<String> owned() {
        return List.copyOf(owned.keySet());
    }

    /** Whether the controller still reads the pipelines topic. */
    public boolean isAlive() {
        return lifecycle.isStarted() && thread.isAlive() && !stopped;
    }

    @Override
    public HealthCheck.Health health() {
        return isAlive()
                ? HealthCheck.Health.up(owned.size() + " pipeline(s) owned")
                : HealthCheck.Health.down("stopped reading the pipelines topic");
    }

    /** Set when the controller stopped reading the pipelines topic on its own. */
    @Override
    public Optional<String> failure() {
        return lifecycle.isStarted() && stopped && running
                ? Optional.of("stopped reading " + topics.pipelines().name())
                : Optional.empty();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topics.pipelines().name()), new Rebalance());
            while (running) {
                for (ConsumerRecord<String, byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    apply(record);
                }
                if (System.nanoTime() - lastStatusNanos >= settings.statusInterval().toNanos()) {
                    owned.keySet().forEach(this::publishStatus);
                    lastStatusNanos = System.nanoTime();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error(
                    "pipelines: stopped reading {}: {}",
                    topics.pipelines().name(),
                    e.toString(),
                    e);
        } finally {
            stopped = true;
            List.copyOf(owned.keySet()).forEach(id -> release(id, "this instance is stopping"));
            statusProducer.flush();
            consumer.close(); // leaves the group: the partitions go to the others now, not after
            // the session timeout
        }
    }

    /**
     * Assigned partitions are read from the beginning; revoked or lost ones stop their pipelines.
     */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log.info("pipelines partitions assigned: {}", partitions);
            if (partitions.isEmpty()) {
                return;
            }
            consumer.seekToBeginning(partitions);
            try {
                statuses.catchUp(Duration.ofSeconds(10)); // to know which pipelines already ended
            } catch (Exception e) {
                log.warn(
                        "pipelines: statuses not read to the end ({}); ended file pipelines may run again",
                        e.getMessage());
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            log.info("pipelines partitions revoked: {}", partitions);
            releaseAll(partitions, "its partition moved to another instance");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log.warn("pipelines partitions lost: {}", partitions);
            releaseAll(partitions, "this instance lost its partition");
        }
    }

    private void releaseAll(Collection<TopicPartition> partitions, String why) {
        List<Integer> numbers = partitions.stream().map(TopicPartition::partition).toList();
        owned.entrySet().stream()
                .filter(e -> numbers.contains(e.getValue().partition))
                .map(Map.Entry::getKey)
                .toList()
                .forEach(id -> release(id, why));
    }

    /** Stops the pipeline here without a status: its next owner reports it. */
    private void release(String id, String why) {
        Owned pipeline = owned.remove(id);
        if (pipeline != null && ingest.remove(id, settings.stopTimeout())) {
            log.info("pipeline {}: released ({})", id, why);
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        String id = record.key();
        if (id == null) {
            log.warn(
                    "pipelines: skipping a record without a key at {}-{} offset {}",
                    record.topic(),
                    record.partition(),
                    record.offset());
            return;
        }
        PipelineSpec spec;
        try {
            spec =
                    topics.pipelines()
                            .valueSerde()
                            .deserializer()
                            .deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            log.error(
                    "pipeline {}: unreadable spec at {}-{} offset {}: {}; keeping what runs",
                    id,
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
            return;
        }
        if (spec == null) {
            delete(id);
        } else {
            apply(id, record.partition(), spec);
        }
    }

    private void delete(String id) {
        if (owned.containsKey(id)) {
            release(id, "deleted");
            log.info("pipeline {}: deleted", id);
        }
        statusProducer.send(new ProducerRecord<>(topics.pipelineStatus().name(), id, null));
    }

    private void apply(String id, int partition, PipelineSpec spec) {
        Owned current = owned.get(id);
        if (current != null && current.spec.getVersion() == spec.getVersion()) {
            return; // the same version read again after a rebalance
        }
        if (current == null) {
            current = new Owned(spec, partition);
            owned.put(id, current);
            if (finishedBefore(id, spec)) {
                return;
            }
        }
        PipelineSpec previous = current.spec;
        current.spec = spec;
        switch (PipelineSpecs.desired(spec)) {
            case RUNNING -> run(current, previous);
            case PAUSED -> hold(current, PipelineState.PAUSED, null, "paused");
            default -> hold(current, PipelineState.ENDED, "terminated", "terminated");
        }
        publishStatus(id);
    }

    /**
     * An ended or failed pipeline (as its last owner reported) is not restarted until its spec
     * changes.
     */
    private boolean finishedBefore(String id, PipelineSpec spec) {
        Optional<PipelineStatus> last = statuses.get(id);
        boolean done =
                last.isPresent()
                        && last.get().getSpecVersion() == spec.getVersion()
                        && (last.get().getState() == PipelineState.ENDED
                                || last.get().getState() == PipelineState.FAILED);
        if (done) {
            Owned pipeline = owned.get(id);
            pipeline.fixedState = last.get().getState();
            pipeline.fixedReason = last.get().getReason();
            log.info(
                    "pipeline {} (v{}): {} before it moved here; not run again",
                    id,
                    spec.getVersion(),
                    pipeline.fixedState);
        }
        return done;
    }

    private void run(Owned pipeline, PipelineSpec previous) {
        String id = pipeline.spec.getPipelineId();
        boolean runs = pipeline.fixedState == null && ingest.isRunning(id);
        if (runs
                && previous != pipeline.spec
                && PipelineSpecs.sameSource(previous, pipeline.spec)) {
            log.info(
                    "pipeline {} (v{}): updated; its source is unchanged and keeps running",
                    id,
                    pipeline.spec.getVersion());
            return;
        }
        ingest.remove(id, settings.stopTimeout());
        try {
            ingest.add(PipelineSources.toSource(pipeline.spec, settings.sources()));
            pipeline.fixedState = null;
            pipeline.fixedReason = null;
            pipeline.ackedBefore = 0;
            log.info(
                    "pipeline {} (v{}): {} {}",
                    id,
                    pipeline.spec.getVersion(),
                    runs ? "restarting with" : "starting",
                    SourceUris.redact(pipeline.spec.getSource()));
        } catch (IllegalArgumentException e) {
            pipeline.fixedState = PipelineState.FAILED;
            pipeline.fixedReason = e.getMessage();
            log.error(
                    "pipeline {} (v{}): {}: {}",
                    id,
                    pipeline.spec.getVersion(),
                    PipelineState.FAILED,
                    e.getMessage());
        }
    }

    private void hold(Owned pipeline, PipelineState state, String reason, String verb) {
        String id = pipeline.spec.getPipelineId();
        ingest.remove(id, settings.stopTimeout());
        pipeline.fixedState = state;
        pipeline.fixedReason = reason;
        log.info("pipeline {} (v{}): {}", id, pipeline.spec.getVersion(), verb);
    }

    private void publishStatus(String id) {
        Owned pipeline = owned.get(id);
        if (pipeline == null) {
            return;
        }
        PipelineStatus.Builder status =
                PipelineStatus.newBuilder()
                        .setPipelineId(id)
                        .setSpecVersion(pipeline.spec.getVersion())
                        .setOwner(settings.instanceId())
                        .setUpdated(Instant.now());
        StreamMetrics metrics = pipeline.fixedState == null ? ingest.metrics(id) : null;
        if (metrics == null) {
            status.setState(
                            pipeline.fixedState == null
                                    ? PipelineState.UNKNOWN
                                    : pipeline.fixedState)
                    .setReason(pipeline.fixedReason);
        } else {
            long now = System.nanoTime();
            long acked = metrics.acknowledged();
            double seconds = Math.max(1e-3, (now - pipeline.statusNanos) / 1e9);
            status.setState(metrics.state())
                    .setReason(reason(metrics))
                    .setFps(Math.round((acked - pipeline.ackedBefore) / seconds * 10) / 10.0)
                    .setLag(
                            metrics.partition() < 0
                                    ? 0
                                    : ingest.lagMonitor().lag(metrics.partition()).orElse(0))
                    .setLastFrameTime(
                            metrics.lastCaptureMillis() > 0
                                    ? Instant.ofEpochMilli(metrics.lastCaptureMillis())
                                    : null);
            pipeline.ackedBefore = acked;
            pipeline.statusNanos = now;
        }
        statusProducer.send(
                new ProducerRecord<>(topics.pipelineStatus().name(), id, status.build()),
                (metadata, e) -> {
                    if (e != null) {
                        log.warn("pipeline {}: status not published: {}", id, e.getMessage());
                    }
                });
    }

    /**
     * The stream's own reason, else frames lost on the way to Kafka (a gap a user should hear of).
     */
    private static String reason(StreamMetrics metrics) {
        if (metrics.reason() != null || metrics.unacknowledged() == 0) {
            return metrics.reason();
        }
        return metrics.unacknowledged()
                + " frame(s) not acknowledged by Kafka, the last: "
                + metrics.lastSendError();
    }

    @Override
    public synchronized void close() {
        boolean started = lifecycle.isStarted();
        if (!lifecycle.close() || !started) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            thread.join(settings.stopTimeout().toMillis() * 2 + 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        statusProducer.close(Duration.ofSeconds(10));
        statuses.close();
        log.info("pipelines: stopped sharing as {}", settings.instanceId());
    }
}
