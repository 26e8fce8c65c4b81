package io.panoptes.ingest.internal.rate;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the workers' consumer lag on the frames topic: every {@code interval} it reads the end
 * offset of each partition and the group's committed offset (AdminClient), and keeps end −
 * committed per partition. A partition where the group has committed nothing has unknown lag, so
 * ingest runs unthrottled until workers exist. Owns an admin client and, from {@link #start()}, one
 * thread: close it.
 */
public final class LagMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LagMonitor.class);

    private final Admin admin;
    private final String topic;
    private final String group;
    private final Duration timeout;
    private final Map<Integer, Long> lags = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final Duration interval;
    private volatile String lastProblem;
    private final MeterRegistry meters;

    public LagMonitor(
            Admin admin, String topic, String group, Duration interval, MeterRegistry meters) {
        this.admin = admin;
        this.meters = meters;
        this.topic = topic;
        this.group = group;
        this.timeout = interval.multipliedBy(2).plusSeconds(5);
        this.interval = interval;
        this.scheduler =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread thread = new Thread(r, "lag-monitor");
                            thread.setDaemon(true);
                            return thread;
                        });
    }

    /** Starts reading the lag every interval. */
    public void start() {
        scheduler.scheduleWithFixedDelay(this::poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The workers' lag on {@code partition}, if known. */
    public OptionalLong lag(int partition) {
        Long lag = lags.get(partition);
        return lag == null ? OptionalLong.empty() : OptionalLong.of(lag);
    }

    /** Sum of the known lags. */
    public long totalLag() {
        return lags.values().stream().mapToLong(Long::longValue).sum();
    }

    public String group() {
        return group;
    }

    void poll() {
        try {
            TopicDescription description =
                    admin.describeTopics(java.util.List.of(topic))
                            .allTopicNames()
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                            .get(topic);
            Map<TopicPartition, OffsetSpec> latest =
                    description.partitions().stream()
                            .collect(
                                    Collectors.toMap(
                                            p -> new TopicPartition(topic, p.partition()),
                                            p -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            ends.forEach(
                    (tp, end) -> {
                        OffsetAndMetadata offset = committed.get(tp);
                        if (offset == null) {
                            lags.remove(tp.partition());
                        } else {
                            if (lags.put(
                                            tp.partition(),
                                            Math.max(0, end.offset() - offset.offset()))
                                    == null) {
                                registerGauge(tp.partition());
                            }
                        }
                    });
            if (lastProblem != null) {
                log.info("lag of group {} on {} readable again", group, topic);
                lastProblem = null;
            }
        } catch (Exception e) {
            String problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!problem.equals(lastProblem)) {
                log.warn(
                        "cannot read the lag of group {} on {} (rates stay as they are): {}",
                        group,
                        topic,
                        problem);
                lastProblem = problem;
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void registerGauge(int partition) {
        Gauge.builder("panoptes.ingest.worker.lag", lags, l -> l.getOrDefault(partition, 0L))
                .description("Workers' consumer lag on a frames partition, as ingest sees it")
                .tag("group", group)
                .tag("partition", String.valueOf(partition))
                .register(meters);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
