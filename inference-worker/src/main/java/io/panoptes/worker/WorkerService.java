package io.panoptes.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.panoptes.avro.DetectionStatus;
import io.panoptes.avro.Detections;
import io.panoptes.avro.FramePolicy;
import io.panoptes.avro.Frame;
import io.panoptes.avro.ModelRef;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.SourceKind;
import io.panoptes.schemas.claimcheck.FilesystemPayloadStore;
import io.panoptes.schemas.serde.AvroDeserializer;
import io.panoptes.schemas.topics.DeadLetters;
import io.panoptes.schemas.topics.CompactedView;
import io.panoptes.schemas.topics.Topics;
import io.panoptes.worker.image.FrameImageDecoder;
import io.panoptes.worker.model.ModelCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An inference worker: consumes the frames topic in a consumer group and produces exactly one
 * result per frame on the detections topic.
 *
 * <p>The poll thread owns the consumer and a transactional producer. Frames go to a decode stage
 * (JPEG/PNG into pooled images) and then to the inference threads, so the next frames are decoded
 * while a model runs; at most {@code queueCapacity} are in flight, above which the worker pauses
 * its partitions. Each transaction carries the results of the contiguous completed prefix of every
 * partition together with those offsets, so a crash neither loses nor duplicates a result. On
 * revocation the complete prefix is committed and the rest dropped, for the new owner to redo.
 * Unreadable records go to the DLQ in the same transaction; stale LIVE frames become
 * SKIPPED_STALE results; frames deleted by retention before they were read are counted as lost.
 */
public final class WorkerService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerService.class);

    private final WorkerSettings settings;
    private final Topics topics;
    private final WorkerMetrics metrics;
    private final ModelCatalog catalog;
    private final CompactedView<PipelineSpec> pipelines;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroDeserializer<Frame> frames;
    private final Serializer<Detections> results;
    private final ExecutorService decoding;
    private final ExecutorService inference;
    private final List<AutoCloseable> perThread = new CopyOnWriteArrayList<>();
    private final ThreadLocal<FrameImageDecoder> decoder;
    private final ThreadLocal<FrameProcessor> processor;
    private final BlockingQueue<Mat> images;
    private final BatchQueue<Decoded> toInfer;
    private final Map<TopicPartition, Deque<Slot>> inFlightByPartition = new HashMap<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    private final int maxPollRecords;
    private final Thread pollThread;
    private volatile boolean running = true;
    private volatile boolean abrupt;
    private long lastCommitNanos = System.nanoTime();
    private volatile int assigned;
    private volatile String fatal;

    /** One consumed record's place in its partition's commit order, filled when its output is ready. */
    private static final class Slot {
        final long offset;
        volatile Output output;

        Slot(long offset) {
            this.offset = offset;
        }
    }

    /**
     * What a record produces: a result or a dead letter, and what to count once it is committed.
     * Results are serialized by the poll thread when committed, off the inference threads' path.
     */
    private record Output(java.util.function.Supplier<ProducerRecord<byte[], byte[]>> record, Runnable onCommit) {}

    /** A decoded frame waiting for an inference thread, and where its result goes. */
    private record Decoded(Slot slot, FrameProcessor.Decoded frame) {}

    /**
     * Starts a worker. The default model is loaded now, so a worker with a broken model stops at once.
     *
     * @throws io.panoptes.worker.model.ModelLoadException naming the default model and why it cannot run
     */
    public WorkerService(WorkerSettings settings, Map<String, Object> kafkaConfig, Topics topics, MeterRegistry meters) {
        this.settings = settings;
        this.topics = topics;
        this.metrics = new WorkerMetrics(meters);
        this.catalog = new ModelCatalog(settings.models(), settings.intraOpThreads(), settings.interOpThreads(),
                settings.device(), settings.modelCache().fetcher());
        if (settings.defaultModel() != null) {
            catalog.get(settings.defaultModel());
        }
        this.maxPollRecords = Math.max(1, settings.queueCapacity() / 4);
        this.frames = AvroDeserializer.of(Frame.class, topics.registry());
        this.results = topics.detections().valueSerde().serializer();
        this.pipelines = new CompactedView<>(kafkaConfig, topics.pipelines(), "panoptes-worker-pipelines");
        this.consumer = new KafkaConsumer<>(consumerConfig(kafkaConfig), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(producerConfig(kafkaConfig), new ByteArraySerializer(), new ByteArraySerializer());
        if (settings.exactlyOnce()) {
            producer.initTransactions();
        }
        FilesystemPayloadStore store = settings.claimCheckDir() == null ? null
                : new FilesystemPayloadStore(settings.claimCheckDir(), 256L * 1024 * 1024);
        this.decoder = ThreadLocal.withInitial(() -> owned(new FrameImageDecoder(settings.maxPixels(), store)));
        this.processor = ThreadLocal.withInitial(() -> owned(new FrameProcessor(catalog, settings.maxBatch())));
        // one decoded image per frame in flight, reused: decoding never allocates a new one
        this.images = new ArrayBlockingQueue<>(settings.queueCapacity());
        for (int i = 0; i < settings.queueCapacity(); i++) {
            images.add(new Mat());
        }
        this.toInfer = new BatchQueue<>(settings.maxBatch(), settings.maxBatchWait());
        this.decoding = pool("decode", settings.decodeThreads());
        this.inference = pool("inference", settings.inferenceThreads());
        for (int i = 0; i < settings.inferenceThreads(); i++) {
            inference.execute(this::inferLoop);
        }
        this.pollThread = new Thread(this::pollLoop, "worker-poll");
        pollThread.start();
    }

    private <T extends AutoCloseable> T owned(T resource) {
        perThread.add(resource);
        return resource;
    }

    private static ExecutorService pool(String name, int threads) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private Map<String, Object> consumerConfig(Map<String, Object> kafkaConfig) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"); // retention losses are counted, not skipped
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "panoptes-worker-" + UUID.randomUUID().toString().substring(0, 8));
        return config;
    }

    private Map<String, Object> producerConfig(Map<String, Object> kafkaConfig) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        if (settings.exactlyOnce()) {
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.groupId() + "-" + UUID.randomUUID());
            config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) settings.transactionTimeout().toMillis());
        }
        return config;
    }

    private void pollLoop() {
        try {
            consumer.subscribe(List.of(topics.frames().name()), new Rebalance());
            while (running) {
                applyBackpressure();
                for (ConsumerRecord<byte[], byte[]> record : poll()) {
                    accept(record);
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

    private Iterable<ConsumerRecord<byte[], byte[]>> poll() {
        try {
            // while frames are in flight, come back soon: their results free capacity and wait to be committed
            return consumer.poll(Duration.ofMillis(metrics.inFlight().get() > 0 ? 2 : 50));
        } catch (OffsetOutOfRangeException e) {
            e.offsetOutOfRangePartitions().forEach(this::skipDeletedFrames);
        } catch (NoOffsetForPartitionException e) {
            consumer.seekToBeginning(e.partitions());
        }
        return List.of();
    }

    /** Frames removed by retention before this group read them: counted, logged, and the log read from its start. */
    private void skipDeletedFrames(TopicPartition partition, long position) {
        long beginning = consumer.beginningOffsets(List.of(partition)).get(partition);
        long lost = Math.max(0, beginning - position);
        metrics.lost(lost);
        log.warn("{}: {} frame(s) (offsets {}..{}) were deleted by retention before this group read them;"
                + " continuing from {}", partition, lost, position, beginning - 1, beginning);
        consumer.seek(partition, beginning);
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Deque<Slot> slots = inFlightByPartition.get(partition);
        if (slots == null) {
            return; // revoked while the record was in the fetch buffer
        }
        Slot slot = new Slot(record.offset());
        slots.addLast(slot);
        Frame frame;
        try {
            frame = frames.deserialize(record);
            if (frame == null) {
                throw new SerializationException("null value (a tombstone) on the frames topic at " + partition
                        + " offset " + record.offset());
            }
        } catch (SerializationException e) {
            ProducerRecord<byte[], byte[]> deadLetter = DeadLetters.of(topics.dlq().name(), record, e, DeadLetters.Stage.WORKER);
            slot.output = new Output(() -> deadLetter, metrics::deadLetter);
            log.warn("sent {} offset {} to the DLQ: {}", partition, record.offset(), e.getMessage());
            return;
        }
        Optional<PipelineSpec> pipeline = pipelines.get(frame.getPipelineId());
        String modelId = modelFor(frame, pipeline);
        if (frame.getEndOfStream()) {
            slot.output = output(Results.endOfStream(frame, new ModelRef(String.valueOf(modelId), null)));
        } else if (isStale(frame, pipeline)) {
            slot.output = output(Results.skippedStale(frame, new ModelRef(String.valueOf(modelId), null),
                    "frame was " + age(frame).toMillis() + " ms old, more than the " + staleness(pipeline).toMillis()
                            + " ms allowed for LIVE frames under the LATEST policy"));
        } else if (modelId == null) {
            slot.output = output(Results.failed(frame, new ModelRef("none", null),
                    "no model: the frame, its pipeline and this worker name none", null));
        } else {
            metrics.inFlight().incrementAndGet();
            long queuedAt = System.nanoTime();
            decoding.execute(() -> decodeThenInfer(slot, frame, modelId, queuedAt));
        }
    }

    /** Decode stage: the frame's image into a pooled Mat, then on to the inference stage (or a FAILED result). */
    private void decodeThenInfer(Slot slot, Frame frame, String modelId, long queuedAt) {
        Mat pooled = images.poll(); // one image per frame in flight: empty only if that bound were broken
        Mat image = pooled != null ? pooled : new Mat();
        long start = System.nanoTime();
        try {
            decoder.get().decode(frame, image);
        } catch (RuntimeException e) {
            images.add(image);
            slot.output = output(Results.failed(frame, new ModelRef(modelId, null), e.getMessage(),
                    new io.panoptes.avro.StageTimings(0f, (System.nanoTime() - start) / 1e6f, 0f, 0f)));
            metrics.inFlight().decrementAndGet();
            return;
        }
        float decodeMs = (System.nanoTime() - start) / 1e6f;
        toInfer.add(new Decoded(slot, new FrameProcessor.Decoded(frame, modelId, image, queuedAt, decodeMs)));
    }

    /** Inference stage: batches of decoded frames, grouped by model, each group in as few runs as its model allows. */
    private void inferLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            List<Decoded> batch;
            try {
                batch = toInfer.take();
            } catch (InterruptedException e) {
                return; // stopping
            }
            metrics.batch(batch.size());
            Map<String, List<Decoded>> byModel = new LinkedHashMap<>();
            batch.forEach(d -> byModel.computeIfAbsent(d.frame().modelId(), m -> new ArrayList<>()).add(d));
            byModel.forEach(this::infer);
        }
    }

    private void infer(String modelId, List<Decoded> frames) {
        try {
            List<Detections> results = processor.get().process(modelId, frames.stream().map(Decoded::frame).toList());
            for (int i = 0; i < frames.size(); i++) {
                frames.get(i).slot().output = output(results.get(i));
            }
        } finally {
            for (Decoded d : frames) {
                images.add(d.frame().image());
                metrics.inFlight().decrementAndGet();
            }
        }
    }

    private String modelFor(Frame frame, Optional<PipelineSpec> pipeline) {
        if (frame.getModelId() != null) {
            return frame.getModelId();
        }
        return pipeline.map(PipelineSpec::getModel).orElse(settings.defaultModel());
    }

    private boolean isStale(Frame frame, Optional<PipelineSpec> pipeline) {
        if (frame.getSourceKind() != SourceKind.LIVE) {
            return false; // FILE frames are processed completely
        }
        FramePolicy policy = pipeline.map(PipelineSpec::getPolicy).orElse(FramePolicy.UNKNOWN);
        boolean latest = policy == FramePolicy.UNKNOWN ? settings.liveDefaultLatest() : policy == FramePolicy.LATEST;
        return latest && age(frame).compareTo(staleness(pipeline)) > 0;
    }

    private Duration staleness(Optional<PipelineSpec> pipeline) {
        return pipeline.map(PipelineSpec::getMaxStalenessMillis).map(Duration::ofMillis).orElse(settings.maxStaleness());
    }

    private static Duration age(Frame frame) {
        return Duration.between(frame.getCaptureTime(), Instant.now());
    }

    private Output output(Detections result) {
        long ageMillis = Duration.between(result.getCaptureTime(), result.getInferenceTime()).toMillis();
        return new Output(() -> new ProducerRecord<>(topics.detections().name(),
                result.getStreamId().getBytes(StandardCharsets.UTF_8), results.serialize(topics.detections().name(), result)),
                () -> metrics.result(result.getStatus(), result.getTimings(), ageMillis));
    }

    /** Keeps at most queueCapacity frames in flight: a poll may add up to max.poll.records. */
    private void applyBackpressure() {
        boolean full = metrics.inFlight().get() + maxPollRecords > settings.queueCapacity();
        Set<TopicPartition> assigned = consumer.assignment();
        if (full && paused.isEmpty() && !assigned.isEmpty()) {
            consumer.pause(assigned);
            paused.addAll(assigned);
        } else if (!full && !paused.isEmpty()) {
            paused.retainAll(assigned);
            consumer.resume(paused);
            paused.clear();
        }
    }

    /** Sends the results of each partition's completed prefix, with its offsets, in one transaction. */
    private void commitCompleted() {
        lastCommitNanos = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        List<Output> outputs = new ArrayList<>();
        inFlightByPartition.forEach((partition, slots) -> {
            long next = -1;
            while (!slots.isEmpty() && slots.peekFirst().output != null) {
                Slot slot = slots.pollFirst();
                outputs.add(slot.output);
                next = slot.offset + 1;
            }
            if (next >= 0) {
                offsets.put(partition, new OffsetAndMetadata(next));
            }
        });
        if (offsets.isEmpty()) {
            return;
        }
        if (settings.exactlyOnce()) {
            if (!commitTransaction(outputs, offsets)) {
                return; // aborted: the consumer was rewound and these frames will be redone
            }
        } else {
            outputs.forEach(o -> producer.send(o.record().get()));
            producer.flush();
            consumer.commitSync(offsets);
        }
        outputs.forEach(o -> o.onCommit().run());
    }

    /** True when committed; false when aborted, after rewinding the consumer to the committed offsets. */
    private boolean commitTransaction(List<Output> outputs, Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            producer.beginTransaction();
            outputs.forEach(o -> producer.send(o.record().get()));
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
            return true;
        } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
                | AuthorizationException e) {
            throw e; // another instance took over, or we may not write: stop
        } catch (KafkaException e) {
            log.warn("transaction aborted ({}); re-reading from the last committed offsets", e.toString());
            producer.abortTransaction();
            rewind();
            return false;
        }
    }

    private void rewind() {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        for (TopicPartition partition : assigned) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, offset.offset());
            }
            inFlightByPartition.put(partition, new ArrayDeque<>());
        }
    }

    private void recordLag() {
        for (TopicPartition partition : consumer.assignment()) {
            consumer.currentLag(partition).ifPresent(lag -> metrics.lag(partition.toString(), lag));
        }
    }

    /** On a clean stop: no new frames, let those in flight finish (bounded), commit them. */
    private void drain() {
        consumer.pause(consumer.assignment());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (metrics.inFlight().get() > 0 && System.nanoTime() < deadline) {
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
            log.warn("partitions lost (their uncommitted results will be redone by their new owner): {}", partitions);
        }

        /** Drops the partitions' uncommitted work: results still being computed for them are ignored. */
        private void forget(Collection<TopicPartition> partitions) {
            partitions.forEach(inFlightByPartition::remove);
            paused.removeAll(partitions);
            assigned = inFlightByPartition.size();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            partitions.forEach(p -> inFlightByPartition.put(p, new ArrayDeque<>()));
            assigned = inFlightByPartition.size();
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
            List<TopicPartition> fresh = partitions.stream().filter(p -> committed.get(p) == null).toList();
            if (!fresh.isEmpty()) {
                consumer.seekToBeginning(fresh); // a new group starts at the start of the log
            }
            log.info("partitions assigned: {}", partitions);
        }
    }

    public boolean isRunning() {
        return pollThread.isAlive() && fatal == null;
    }

    /** Why the worker stopped on its own, or null. */
    public String failure() {
        return fatal;
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

    /** The worker's models, shared with its HTTP inference endpoint. */
    public ModelCatalog models() {
        return catalog;
    }

    public Duration p95FrameAge() {
        return metrics.p95FrameAge();
    }

    public Duration p50FrameAge() {
        return metrics.p50FrameAge();
    }

    /** Stops cleanly: finishes and commits what is in flight, leaves the group, frees the models. */
    @Override
    public void close() {
        stop(false);
    }

    /** Stops like a crash: nothing more is committed and the open transaction is left to time out. For tests. */
    public void kill() {
        stop(true);
    }

    private void stop(boolean crash) {
        abrupt = crash;
        running = false;
        if (crash) {
            consumer.wakeup();
        }
        try {
            pollThread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ExecutorService stage : List.of(decoding, inference)) {
            stage.shutdownNow();
            try {
                stage.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        perThread.forEach(WorkerService::closeQuietly);
        perThread.clear();
        images.forEach(Mat::close);
        catalog.close();
        pipelines.close();
    }

    private void closeClients() {
        Duration timeout = abrupt ? Duration.ZERO : Duration.ofSeconds(30);
        try {
            producer.close(timeout);
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(timeout));
        }
        log.info("worker {}", abrupt ? "killed" : "stopped");
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("closing {} failed: {}", resource, e.toString());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
