package io.panoptes.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Frame;
import io.panoptes.avro.ModelSpec;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.runtime.kafka.ClientConfigs;
import io.panoptes.runtime.lifecycle.Lifecycle;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.runtime.observability.HealthCheck;
import io.panoptes.schemas.claimcheck.FilesystemPayloadStore;
import io.panoptes.schemas.serde.AvroDeserializer;
import io.panoptes.schemas.serde.RegistryUnavailableException;
import io.panoptes.schemas.topics.CompactedView;
import io.panoptes.schemas.topics.DeadLetters;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.worker.http.InferenceHttpServer;
import io.panoptes.worker.internal.model.ModelCatalog;
import io.panoptes.worker.model.ModelDefinition;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An inference worker: consumes the frames topic in a consumer group and produces exactly one
 * result per frame on the detections topic.
 *
 * <p>The poll thread owns the consumer and a transactional producer. Each frame is triaged ({@link
 * FrameTriage}); those to infer go through the {@link InferenceStages}; at most {@code
 * queueCapacity} are in flight, above which the worker pauses its partitions. Each transaction
 * carries the results of the contiguous completed prefix of every partition ({@link
 * PartitionLedger}) together with those offsets, so a crash neither loses nor duplicates a result.
 * On revocation the complete prefix is committed and the rest dropped, for the new owner to redo.
 * Unreadable records go to the DLQ in the same transaction; frames deleted by retention before they
 * were read are counted as lost.
 *
 * <p>Nothing runs before {@link #start()}; {@link #close()} drains and commits, {@link #kill()}
 * stops like a crash. Both are idempotent.
 */
public final class WorkerService implements RoleService {

    private static final Logger log = LoggerFactory.getLogger(WorkerService.class);

    /**
     * How long a poll waits while frames are in flight (their results wait to be committed), and
     * while none are.
     */
    private static final Duration BUSY_POLL = Duration.ofMillis(2);

    private static final Duration IDLE_POLL = Duration.ofMillis(50);

    /** How long a clean stop lets the frames in flight finish before committing what is done. */
    private static final Duration DRAIN = Duration.ofSeconds(30);

    /** How long closing waits for the poll thread, and a clean stop for the Kafka clients. */
    private static final Duration STOP = Duration.ofSeconds(60);

    private static final Duration CLIENT_CLOSE = Duration.ofSeconds(30);

    /** How long one wait for the pipelines or models topic lasts before it is said and retried. */
    private static final Duration CONTROL_VIEW_WAIT = Duration.ofSeconds(10);

    private final WorkerSettings settings;
    private final Map<String, Object> kafkaConfig;
    private final Topics topics;
    private final WorkerMetrics metrics;
    private final FrameTriage triage;
    private final Lifecycle lifecycle = new Lifecycle("the worker");
    private final PartitionLedger<Output> ledger = new PartitionLedger<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    private final int maxPollRecords;
    private ModelCatalog catalog;
    private CompactedView<PipelineSpec> pipelines;
    private CompactedView<ModelSpec> models;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private AvroDeserializer<Frame> frames;
    private Serializer<Detections> results;
    private InferenceStages stages;
    private InferenceHttpServer http;
    private Thread pollThread;
    private volatile boolean running = true;
    private volatile boolean abrupt;
    private long lastCommitNanos = System.nanoTime();
    private volatile int assigned;
    private volatile String fatal;
    private volatile String waitingFor = "the pipelines and models topics";
    private volatile int failedCommits;
    private volatile String lastCommitFailure;

    /**
     * What a record produces: a result or a dead letter, and what to count once it is committed.
     * Results are serialized by the poll thread when committed, off the inference threads' path.
     */
    private record Output(Supplier<ProducerRecord<byte[], byte[]>> record, Runnable onCommit) {}

    /** A worker with these settings; nothing is loaded or connected before {@link #start()}. */
    public WorkerService(
            WorkerSettings settings,
            Map<String, Object> kafkaConfig,
            Topics topics,
            MeterRegistry meters) {
        this.settings = settings;
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.topics = topics;
        this.metrics = new WorkerMetrics(meters);
        this.triage = new FrameTriage(settings);
        this.maxPollRecords = Math.max(1, settings.queueCapacity() / 4);
    }

    @Override
    public String name() {
        return "worker";
    }

    /**
     * Loads the default model (so a worker with a broken model stops at once), connects and starts
     * consuming.
     *
     * @throws io.panoptes.worker.model.ModelLoadException naming the default model and why it
     *     cannot run
     */
    @Override
    public synchronized void start() {
        lifecycle.start();
        catalog =
                new ModelCatalog(
                        settings.models(),
                        new ModelCatalog.Settings(
                                settings.intraOpThreads(),
                                settings.interOpThreads(),
                                settings.device(),
                                settings.maxModels(),
                                settings.modelLoadWait()),
                        settings.modelCache().fetcher());
        try {
            if (settings.defaultModel() == null) {
                log.info("no default model: frames and pipelines name theirs");
            } else if (settings.models().containsKey(settings.defaultModel())) {
                catalog.acquireWaiting(settings.defaultModel()).close();
            } else {
                log.info(
                        "default model {} is not configured here: expected on the models topic",
                        settings.defaultModel());
            }
            connect();
        } catch (RuntimeException e) {
            lifecycle.close();
            closeQuietly(models, pipelines, consumer, producer, catalog);
            throw e;
        }
        stages = new InferenceStages(settings, catalog, claimChecks(), metrics);
        stages.start();
        pollThread = new Thread(this::pollLoop, "worker-poll");
        pollThread.start();
        WorkerSettings.HttpInference endpoint = settings.http();
        if (endpoint != null) {
            try {
                http = new InferenceHttpServer(imageInference(), endpoint);
            } catch (RuntimeException e) {
                close(); // the port is taken: nothing of this worker stays behind
                throw e;
            }
        }
    }

    /** The base URL of HTTP inference, when the settings ask for it. */
    public Optional<URI> httpUrl() {
        return Optional.ofNullable(http).map(InferenceHttpServer::url);
    }

    private void connect() {
        frames = AvroDeserializer.of(Frame.class, topics.registry());
        results = topics.detections().valueSerde().serializer();
        pipelines = new CompactedView<>(kafkaConfig, topics.pipelines(), "worker-pipelines");
        models =
                new CompactedView<>(
                        kafkaConfig, topics.models(), "worker-models", this::modelChanged);
        consumer =
                new KafkaConsumer<>(
                        consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        producer =
                new KafkaProducer<>(
                        producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
        if (settings.exactlyOnce()) {
            producer.initTransactions();
        }
    }

    /** A spec read from the models topic (null: removed), on the view's thread. */
    private void modelChanged(String id, ModelSpec spec) {
        if (spec == null) {
            catalog.remove(id);
            return;
        }
        if (!id.equals(spec.getModelId())) {
            catalog.reject(
                    id,
                    "model "
                            + id
                            + ": the models topic's record for it says modelId '"
                            + spec.getModelId()
                            + "'; key and id must be equal");
            return;
        }
        try {
            catalog.define(id, ModelDefinition.of(spec, settings.modelCache()));
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            catalog.reject(id, e.getMessage());
        }
    }

    private FilesystemPayloadStore claimChecks() {
        return settings.claimCheckDir() == null
                ? null
                : new FilesystemPayloadStore(
                        settings.claimCheckDir(), WorkerSettings.MAX_CLAIM_CHECK_BYTES);
    }

    private static void closeQuietly(AutoCloseable... resources) {
        for (AutoCloseable resource : resources) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception e) {
                log.warn("closing {} after a failed start: {}", resource, e.toString());
            }
        }
    }

    private Map<String, Object> consumerConfig() {
        return ClientConfigs.of(kafkaConfig, "worker-frames")
                .require(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId())
                .require(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .require(
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "none") // retention losses are counted, not skipped
                .require(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .require(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords)
                // incremental rebalancing: a worker joining or leaving moves only the partitions
                // that change owner, and the others keep processing (eager assignors stop all)
                .tune(
                        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                        org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName())
                .build();
    }

    private Map<String, Object> producerConfig() {
        ClientConfigs.Builder config =
                ClientConfigs.of(kafkaConfig, "worker-results")
                        .tune(ProducerConfig.LINGER_MS_CONFIG, 5)
                        .require(ProducerConfig.ACKS_CONFIG, "all")
                        .require(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        if (settings.exactlyOnce()) {
            config.require(
                            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                            settings.groupId() + "-" + UUID.randomUUID())
                    .require(
                            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                            (int) settings.transactionTimeout().toMillis());
        }
        return config.build();
    }

    private void pollLoop() {
        try {
            if (!awaitControlViews()) {
                return;
            }
            consumer.subscribe(List.of(topics.frames().name()), new Rebalance());
            while (running) {
                applyBackpressure();
                try {
                    for (ConsumerRecord<byte[], byte[]> record : poll()) {
                        accept(record);
                    }
                } catch (RegistryUnavailableException e) {
                    // the records are fine, the registry is not: read them again later
                    lastCommitFailure = e.getMessage();
                    log.warn("{}; re-reading from the last committed offsets", e.getMessage());
                    rewind();
                    backOffAfterFailedCommit();
                }
                if (System.nanoTime() - lastCommitNanos >= settings.commitInterval().toNanos()) {
                    commitCompleted();
                    recordLag();
                }
            }
            if (!abrupt) {
                drain();
            }
        } catch (WakeupException e) {
            if (running) {
                fatal = "woken up unexpectedly";
            }
        } catch (RuntimeException e) {
            fatal = e.toString();
            log.error("worker stopped: {}", e.toString(), e);
        } finally {
            closeClients();
        }
    }

    /**
     * Reads the pipelines and models topics to their ends before the first frame, so that a backlog
     * after a restart is judged by its pipelines' policies, not the worker's defaults (a LIVE frame
     * of a pipeline with policy ALL is not SKIPPED_STALE). Health is DOWN meanwhile, saying why.
     *
     * @return false when the worker was stopped while waiting
     */
    private boolean awaitControlViews() {
        for (CompactedView<?> view : List.of(pipelines, models)) {
            while (running) {
                try {
                    view.catchUp(CONTROL_VIEW_WAIT);
                    break;
                } catch (java.util.concurrent.TimeoutException | IllegalStateException e) {
                    waitingFor = e.getMessage();
                    log.warn("worker waits to consume: {}", e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        waitingFor = null;
        return running;
    }

    private Iterable<ConsumerRecord<byte[], byte[]>> poll() {
        try {
            return consumer.poll(stages.inFlight() > 0 ? BUSY_POLL : IDLE_POLL);
        } catch (OffsetOutOfRangeException e) {
            e.offsetOutOfRangePartitions().forEach(this::skipDeletedFrames);
        } catch (NoOffsetForPartitionException e) {
            consumer.seekToBeginning(e.partitions());
        }
        return List.of();
    }

    /**
     * Frames removed by retention before this group read them: counted, logged, and the log read
     * from its start.
     */
    private void skipDeletedFrames(TopicPartition partition, long position) {
        long beginning = consumer.beginningOffsets(List.of(partition)).get(partition);
        long lost = Math.max(0, beginning - position);
        metrics.lost(lost);
        log.warn(
                "{}: {} frame(s) (offsets {}..{}) were deleted by retention before this group read them;"
                        + " continuing from {}",
                partition,
                lost,
                position,
                beginning - 1,
                beginning);
        consumer.seek(partition, beginning);
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        PartitionLedger.Slot<Output> slot = ledger.add(partition, record.offset());
        if (slot == null) {
            return; // revoked while the record was in the fetch buffer
        }
        Frame frame;
        try {
            frame = frames.deserialize(record);
            if (frame == null) {
                throw new SerializationException(
                        "null value (a tombstone) on the frames topic at "
                                + partition
                                + " offset "
                                + record.offset());
            }
        } catch (SerializationException e) {
            ProducerRecord<byte[], byte[]> deadLetter =
                    DeadLetters.of(topics.dlq().name(), record, e, DeadLetters.Stage.WORKER);
            slot.complete(new Output(() -> deadLetter, metrics::deadLetter));
            log.warn(
                    "sent {} offset {} to the DLQ: {}", partition, record.offset(), e.getMessage());
            return;
        }
        FrameTriage.Decision decision =
                triage.decide(frame, pipelines.get(frame.getPipelineId()), Instant.now());
        if (decision instanceof FrameTriage.Infer infer) {
            stages.submit(frame, infer, System.nanoTime(), result -> slot.complete(output(result)));
        } else {
            slot.complete(output(((FrameTriage.Answer) decision).result()));
        }
    }

    private Output output(Detections result) {
        long ageMillis =
                Duration.between(result.getCaptureTime(), result.getInferenceTime()).toMillis();
        return new Output(
                () ->
                        new ProducerRecord<>(
                                topics.detections().name(),
                                result.getStreamId().getBytes(StandardCharsets.UTF_8),
                                results.serialize(topics.detections().name(), result)),
                () -> metrics.result(result.getStatus(), result.getTimings(), ageMillis));
    }

    /** Keeps at most queueCapacity frames in flight: a poll may add up to max.poll.records. */
    private void applyBackpressure() {
        boolean full = stages.inFlight() + maxPollRecords > settings.queueCapacity();
        Set<TopicPartition> owned = consumer.assignment();
        if (full) {
            // every time: an incremental rebalance may have added partitions, unpaused, since
            Set<TopicPartition> unpaused = new HashSet<>(owned);
            unpaused.removeAll(paused);
            if (!unpaused.isEmpty()) {
                consumer.pause(unpaused);
                paused.addAll(unpaused);
            }
        } else if (!paused.isEmpty()) {
            paused.retainAll(owned);
            consumer.resume(paused);
            paused.clear();
        }
    }

    /**
     * Sends the results of each partition's completed prefix, with its offsets, in one transaction.
     */
    private void commitCompleted() {
        lastCommitNanos = System.nanoTime();
        PartitionLedger.Completed<Output> completed = ledger.takeCompleted();
        if (completed.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        completed
                .nextOffsets()
                .forEach((partition, next) -> offsets.put(partition, new OffsetAndMetadata(next)));
        boolean committed =
                settings.exactlyOnce()
                        ? commitTransaction(completed.outputs(), offsets)
                        : sendThenCommit(completed.outputs(), offsets);
        if (!committed) {
            backOffAfterFailedCommit(); // rewound: these frames will be redone
            return;
        }
        failedCommits = 0;
        completed.outputs().forEach(o -> o.onCommit().run());
    }

    /**
     * True when committed; false when aborted, after rewinding the consumer to the committed
     * offsets.
     */
    private boolean commitTransaction(
            List<Output> outputs, Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            producer.beginTransaction();
            outputs.forEach(o -> producer.send(o.record().get()));
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
            return true;
        } catch (ProducerFencedException
                | InvalidProducerEpochException
                | OutOfOrderSequenceException
                | AuthorizationException e) {
            throw e; // another instance took over, or we may not write: stop
        } catch (KafkaException e) {
            lastCommitFailure = e.toString();
            log.warn(
                    "transaction aborted ({}); re-reading from the last committed offsets",
                    e.toString());
            producer.abortTransaction();
            rewind();
            return false;
        }
    }

    /**
     * At-least-once: the results are sent and acknowledged before their offsets are committed; a
     * send that fails (too large, not authorized, timed out) rewinds, so no frame's offset is
     * committed without its result.
     */
    private boolean sendThenCommit(
            List<Output> outputs, Map<TopicPartition, OffsetAndMetadata> offsets) {
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent =
                new java.util.ArrayList<>(outputs.size());
        outputs.forEach(o -> sent.add(producer.send(o.record().get())));
        producer.flush();
        try {
            for (var future : sent) {
                future.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            lastCommitFailure = e.getCause().toString();
            log.warn(
                    "results not sent ({}); re-reading from the last committed offsets",
                    lastCommitFailure);
            rewind();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rewind();
            return false;
        }
        consumer.commitSync(offsets);
        return true;
    }

    /** Waits longer after each failed commit in a row (0.1 s doubling up to 5 s). */
    private void backOffAfterFailedCommit() {
        failedCommits++;
        sleep(Math.min(5_000, 100L << Math.min(failedCommits - 1, 6)));
    }

    private void rewind() {
        Set<TopicPartition> owned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(owned);
        for (TopicPartition partition : owned) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, offset.offset());
            }
        }
        ledger.reset();
    }

    private void recordLag() {
        for (TopicPartition partition : consumer.assignment()) {
            consumer.currentLag(partition).ifPresent(lag -> metrics.lag(partition.toString(), lag));
        }
    }

    /** On a clean stop: no new frames, let those in flight finish (bounded), commit them. */
    private void drain() {
        consumer.pause(consumer.assignment());
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (stages.inFlight() > 0 && System.nanoTime() < deadline) {
            commitCompleted();
            sleep(20);
        }
        commitCompleted();
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!abrupt) {
                commitCompleted();
            }
            forget(partitions);
            log.info("partitions revoked: {}", partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
            log.warn(
                    "partitions lost (their uncommitted results will be redone by their new owner): {}",
                    partitions);
        }

        /**
         * Drops the partitions' uncommitted work: results still being computed for them are
         * ignored.
         */
        private void forget(Collection<TopicPartition> partitions) {
            ledger.forget(partitions);
            paused.removeAll(partitions);
            assigned = ledger.owned().size();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            ledger.assign(partitions);
            assigned = ledger.owned().size();
            Map<TopicPartition, OffsetAndMetadata> committed =
                    consumer.committed(new HashSet<>(partitions));
            List<TopicPartition> fresh =
                    partitions.stream().filter(p -> committed.get(p) == null).toList();
            if (!fresh.isEmpty()) {
                consumer.seekToBeginning(fresh); // a new group starts at the start of the log
            }
            log.info("partitions assigned: {}", partitions);
        }
    }

    public boolean isRunning() {
        return lifecycle.isStarted() && pollThread.isAlive() && fatal == null;
    }

    @Override
    public HealthCheck.Health health() {
        String waiting = waitingFor;
        if (isRunning() && waiting != null) {
            return HealthCheck.Health.down("not consuming yet: " + waiting);
        }
        if (isRunning() && failedCommits >= 3) {
            return HealthCheck.Health.down(
                    failedCommits + " commits failed in a row, the last: " + lastCommitFailure);
        }
        return isRunning()
                ? HealthCheck.Health.up(
                        committed() + " results committed, " + inFlight() + " in flight")
                : HealthCheck.Health.down(
                        fatal != null
                                ? "stopped: " + fatal
                                : lifecycle.isClosed() ? "stopped" : "not started");
    }

    @Override
    public Optional<String> failure() {
        return Optional.ofNullable(fatal);
    }

    public long committed() {
        return metrics.committed();
    }

    public long count(DetectionStatus status) {
        return metrics.count(status);
    }

    public long lostFrames() {
        return metrics.lostFrames();
    }

    /** How many frames partitions this worker owns now. */
    public int assignedPartitions() {
        return assigned;
    }

    /** The most frames an inference thread has taken at once so far. */
    public int largestBatch() {
        return metrics.largestBatch();
    }

    public int inFlight() {
        return metrics.inFlight().get();
    }

    /**
     * Inference on single images with this worker's models, for its HTTP endpoint; the caller
     * closes it (that frees its threads' runners, not the models).
     */
    public ImageInference imageInference() {
        lifecycle.requireStarted();
        return new ImageInference(catalog, settings.maxPixels(), false);
    }

    public Duration p95FrameAge() {
        return metrics.p95FrameAge();
    }

    public Duration p50FrameAge() {
        return metrics.p50FrameAge();
    }

    /**
     * Stops cleanly: finishes and commits what is in flight, leaves the group, frees the models.
     */
    @Override
    public void close() {
        stop(false);
    }

    /**
     * Stops like a crash: nothing more is committed and the open transaction is left to time out.
     * For tests.
     */
    public void kill() {
        stop(true);
    }

    private synchronized void stop(boolean crash) {
        boolean started = lifecycle.isStarted();
        if (!lifecycle.close() || !started) {
            return;
        }
        if (http != null) {
            http.close();
        }
        abrupt = crash;
        running = false;
        if (crash) {
            consumer.wakeup();
        }
        try {
            pollThread.join(STOP.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stages.close();
        models.close();
        catalog.close();
        pipelines.close();
    }

    private void closeClients() {
        Duration timeout = abrupt ? Duration.ZERO : CLIENT_CLOSE;
        try {
            producer.close(timeout);
        } finally {
            consumer.close(CloseOptions.timeout(timeout));
        }
        log.info("worker {}", abrupt ? "killed" : "stopped");
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
