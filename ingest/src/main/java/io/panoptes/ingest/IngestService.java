package io.panoptes.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.panoptes.avro.Frame;
import io.panoptes.avro.PipelineState;
import io.panoptes.ingest.internal.rate.LagMonitor;
import io.panoptes.ingest.source.FfmpegSource;
import io.panoptes.ingest.source.FrameSource;
import io.panoptes.ingest.source.ImageFolderSource;
import io.panoptes.ingest.source.SourceSpec;
import io.panoptes.pipeline.source.SourceType;
import io.panoptes.runtime.kafka.ClientConfigs;
import io.panoptes.runtime.lifecycle.Lifecycle;
import io.panoptes.runtime.lifecycle.RoleService;
import io.panoptes.runtime.observability.HealthCheck;
import io.panoptes.schemas.claimcheck.FilesystemPayloadStore;
import io.panoptes.schemas.topics.Topics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ingest process: many sources, each on its own thread and isolated from the others' failures,
 * publishing to one shared idempotent producer; a lag monitor on the workers' group. Sources are
 * added and removed at run time, once {@link #start() started}. {@link #close()} stops every
 * source, flushes and closes the producer. Thread-safe.
 */
public final class IngestService implements RoleService {

    private static final Logger log = LoggerFactory.getLogger(IngestService.class);

    private final IngestSettings settings;
    private final Map<String, Object> kafkaConfig;
    private final Topics topics;
    private final MeterRegistry meters;
    private final Lifecycle lifecycle = new Lifecycle("the ingest service");
    private final Map<String, Running> streams = new LinkedHashMap<>();
    private Producer<String, Frame> producer;
    private FramePublisher publisher;
    private LagMonitor lagMonitor;

    private record Running(StreamRunner runner, Thread thread, StreamMetrics metrics) {}

    public IngestService(
            IngestSettings settings,
            Map<String, Object> kafkaConfig,
            Topics topics,
            MeterRegistry meters) {
        this.settings = settings;
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.topics = topics;
        this.meters = meters;
    }

    @Override
    public String name() {
        return "ingest";
    }

    /**
     * Connects the producer and starts watching the workers' lag; sources may be added from now on.
     */
    @Override
    public synchronized void start() {
        lifecycle.start();
        producer =
                new KafkaProducer<>(
                        producerConfig(kafkaConfig, settings),
                        topics.frames().keySerde().serializer(),
                        topics.frames().valueSerde().serializer());
        publisher =
                new FramePublisher(
                        producer,
                        topics.frames().name(),
                        new FilesystemPayloadStore(settings.claimCheckDir(), Long.MAX_VALUE),
                        settings.claimCheckThreshold());
        lagMonitor =
                new LagMonitor(
                        Admin.create(ClientConfigs.of(kafkaConfig, "ingest-lag").build()),
                        topics.frames().name(),
                        settings.workerGroup(),
                        settings.lagInterval(),
                        meters);
        lagMonitor.start();
    }

    /**
     * Producer tuned for 30–100 KB records: idempotent, acks=all, no compression (JPEG does not
     * shrink), batched; the user's settings may retune it.
     */
    static Map<String, Object> producerConfig(
            Map<String, Object> kafkaConfig, IngestSettings settings) {
        return ClientConfigs.of(kafkaConfig, "ingest-frames")
                .tune(ProducerConfig.ACKS_CONFIG, "all")
                .tune(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .tune(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none")
                .tune(ProducerConfig.LINGER_MS_CONFIG, 5)
                .tune(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024)
                .tune(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024)
                .tune(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, settings.maxRecordBytes())
                .build();
    }

    /**
     * Starts ingesting {@code spec} on a new thread.
     *
     * @throws IllegalArgumentException when a stream with the same id is already running
     * @throws IllegalStateException when the service is not started, or closed
     */
    public synchronized void add(SourceSpec spec) {
        lifecycle.requireStarted();
        Running existing = streams.get(spec.streamId());
        if (existing != null && existing.thread().isAlive()) {
            throw new IllegalArgumentException(
                    "stream "
                            + spec.streamId()
                            + " is already being ingested from "
                            + existing.runner().spec().displayUri());
        }
        if (existing != null) {
            existing.metrics().close();
        }
        StreamMetrics metrics = new StreamMetrics(meters, spec.streamId());
        StreamRunner runner =
                new StreamRunner(
                        spec, settings, publisher, metrics, lagMonitor::lag, this::openSource);
        Thread thread = new Thread(runner, "ingest-" + spec.streamId());
        streams.put(spec.streamId(), new Running(runner, thread, metrics));
        thread.start();
    }

    private FrameSource openSource(SourceSpec spec) {
        if (spec.type() == SourceType.IMAGE_FOLDER) {
            return new ImageFolderSource(SourceType.localPath(spec.uri()), settings.decoder());
        }
        return new FfmpegSource(spec.uri(), spec.type(), spec.options(), settings.decoder());
    }

    /** Stops a stream and waits for its thread; false when no such stream runs. */
    public boolean stop(String streamId, Duration timeout) {
        Running running;
        synchronized (this) {
            running = streams.get(streamId);
        }
        if (running == null) {
            return false;
        }
        running.runner().stop();
        join(running, timeout);
        return true;
    }

    /**
     * Stops a stream, waits for its thread and forgets it (its metrics too), so that nothing of it
     * stays behind; false when no such stream was started.
     */
    public boolean remove(String streamId, Duration timeout) {
        boolean stopped = stop(streamId, timeout);
        Running removed;
        synchronized (this) {
            removed = streams.remove(streamId);
        }
        if (removed != null) {
            removed.metrics().close();
        }
        return stopped;
    }

    /** Whether the stream's thread is alive (it may be reconnecting). */
    public synchronized boolean isRunning(String streamId) {
        Running running = streams.get(streamId);
        return running != null && running.thread().isAlive();
    }

    /** The metrics of one stream started, or null. */
    public synchronized StreamMetrics metrics(String streamId) {
        Running running = streams.get(streamId);
        return running == null ? null : running.metrics();
    }

    /** The current metrics of every stream started, by stream id. */
    public synchronized Map<String, StreamMetrics> streams() {
        Map<String, StreamMetrics> view = new LinkedHashMap<>();
        streams.forEach((id, running) -> view.put(id, running.metrics()));
        return view;
    }

    /**
     * Waits until every stream has ended (finite sources) or the timeout passes; true when all
     * ended.
     */
    public boolean awaitEnded(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Running running : snapshot()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            running.thread().join(Math.max(1, left / 1_000_000));
            if (running.thread().isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** Whether any stream has failed, and which. */
    public synchronized Map<String, String> failures() {
        Map<String, String> failed = new LinkedHashMap<>();
        streams.forEach(
                (id, running) -> {
                    if (running.metrics().state() == PipelineState.FAILED) {
                        failed.put(id, running.metrics().reason());
                    }
                });
        return failed;
    }

    public LagMonitor lagMonitor() {
        lifecycle.requireStarted();
        return lagMonitor;
    }

    /** Down only when every stream started has failed. */
    @Override
    public HealthCheck.Health health() {
        if (!lifecycle.isStarted()) {
            return HealthCheck.Health.down(lifecycle.isClosed() ? "stopped" : "not started");
        }
        Map<PipelineState, Long> states = new EnumMap<>(PipelineState.class);
        streams().values().forEach(m -> states.merge(m.state(), 1L, Long::sum));
        boolean allFailed =
                !states.isEmpty()
                        && states.keySet().stream().allMatch(s -> s == PipelineState.FAILED);
        return new HealthCheck.Health(!allFailed, "streams by state: " + states);
    }

    /** Empty: a stream that fails is reported in {@link #failures()}, and the others go on. */
    @Override
    public Optional<String> failure() {
        return Optional.empty();
    }

    private synchronized List<Running> snapshot() {
        return List.copyOf(streams.values());
    }

    private void join(Running running, Duration timeout) {
        try {
            running.thread().join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (running.thread().isAlive()) {
            log.warn(
                    "stream {} did not stop within {} ms",
                    running.runner().spec().streamId(),
                    timeout.toMillis());
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            boolean started = lifecycle.isStarted();
            if (!lifecycle.close() || !started) {
                return;
            }
        }
        // a stalled RTSP read ends after about four network timeouts
        Duration timeout = settings.decoder().networkTimeout().multipliedBy(5).plusSeconds(1);
        snapshot().forEach(running -> running.runner().stop());
        snapshot().forEach(running -> join(running, timeout));
        producer.flush();
        producer.close(Duration.ofSeconds(30));
        lagMonitor.close();
        snapshot().forEach(running -> running.metrics().close());
        log.info("ingest stopped");
    }
}
