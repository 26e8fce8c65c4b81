package io.panoptes.aggregator.topology;

import io.panoptes.aggregator.AggregatorSettings;
import io.panoptes.aggregator.internal.state.AggregateStore;
import io.panoptes.aggregator.internal.state.StreamAggregate;
import io.panoptes.avro.Detections;
import io.panoptes.avro.Event;
import io.panoptes.avro.PipelineSpec;
import io.panoptes.avro.RuleSpec;
import io.panoptes.avro.WindowCount;
import io.panoptes.pipeline.geometry.Geometry;
import io.panoptes.pipeline.rules.Rule;
import io.panoptes.schemas.topics.CountsKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's one processor, per task: each result goes to its stream's aggregate (order,
 * duplicates, tracking, windows on the stream's own clock), kept in the {@link AggregateStore},
 * which writes its state with each commit, so a commit always carries the state behind its output.
 * Forwards results with track ids and window counts (also kept in the counts store for queries). A
 * wall-clock punctuator closes the windows of streams that went idle and emits early updates.
 */
final class StreamProcessor implements Processor<String, Detections, String, SpecificRecord> {

    private static final Logger log = LoggerFactory.getLogger(StreamProcessor.class);

    private final AggregatorSettings settings;
    private final AggregatorMetrics metrics;
    private final Map<String, String> invalidGeometry = new HashMap<>();
    private final Map<String, PipelineShapes> derived = new HashMap<>();
    private ProcessorContext<String, SpecificRecord> context;
    private AggregateStore states;
    private KeyValueStore<String, WindowCount> counts;
    private KeyValueStore<String, ValueAndTimestamp<PipelineSpec>> pipelines;
    private long lastEarlyUpdate;
    private long lastCleanup;

    StreamProcessor(AggregatorSettings settings, AggregatorMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.states = context.getStateStore(AggregatorTopology.STATE_STORE);
        this.counts = context.getStateStore(AggregatorTopology.COUNTS_STORE);
        this.pipelines = context.getStateStore(AggregatorTopology.PIPELINES_STORE);
        lastEarlyUpdate = context.currentSystemTimeMs();
        lastCleanup = context.currentSystemTimeMs();
        context.schedule(
                settings.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<String, Detections> record) {
        Detections result = record.value();
        if (result == null) {
            throw new IllegalArgumentException(
                    "a null value (tombstone) on the detections topic, key " + record.key());
        }
        String streamId = result.getStreamId();
        StreamAggregate aggregate = aggregate(streamId, result.getPipelineId());
        PipelineShapes pipeline = pipeline(result.getPipelineId());
        StreamAggregate.Output output =
                aggregate.accept(
                        result,
                        geometry(streamId, pipeline),
                        rules(streamId, pipeline),
                        context.currentSystemTimeMs());
        if (output.tracked().isEmpty()) {
            metrics.heldBack();
        }
        emit(streamId, output, record.timestamp());
        save(streamId, aggregate);
    }

    private StreamAggregate aggregate(String streamId, String pipelineId) {
        StreamAggregate aggregate = states.live(streamId);
        if (aggregate == null) {
            StreamAggregate.State stored = states.stored(streamId);
            aggregate =
                    stored == null
                            ? StreamAggregate.start(
                                    settings.streamSettings(),
                                    streamId,
                                    pipelineId,
                                    geometry(streamId, pipeline(pipelineId)))
                            : StreamAggregate.restore(
                                    settings.streamSettings(),
                                    stored,
                                    geometry(streamId, pipeline(stored.pipelineId())));
            if (stored == null) {
                log.info("stream {} seen for the first time (pipeline {})", streamId, pipelineId);
            }
            states.put(streamId, aggregate);
        }
        return aggregate;
    }

    /**
     * A pipeline's zones, lines and rules, derived once per stored version of its spec rather than
     * per result.
     */
    private record PipelineShapes(
            long timestamp, long version, Geometry geometry, List<Rule> rules) {}

    /**
     * The pipeline's derived shapes and rules, or null when the stream has no pipeline or its spec
     * is gone.
     */
    private PipelineShapes pipeline(String pipelineId) {
        if (pipelineId == null) {
            return null;
        }
        ValueAndTimestamp<PipelineSpec> stored = pipelines.get(pipelineId);
        if (stored == null || stored.value() == null) {
            derived.remove(pipelineId);
            return null;
        }
        PipelineShapes known = derived.get(pipelineId);
        if (known != null
                && known.timestamp() == stored.timestamp()
                && known.version() == stored.value().getVersion()) {
            return known;
        }
        PipelineShapes shapes = derive(pipelineId, stored);
        derived.put(pipelineId, shapes);
        return shapes;
    }

    /** Validates a spec's zones, lines and rules; an invalid one is left out, reported once. */
    private PipelineShapes derive(String pipelineId, ValueAndTimestamp<PipelineSpec> stored) {
        PipelineSpec spec = stored.value();
        Geometry geometry =
                spec.getZones().isEmpty() && spec.getLines().isEmpty()
                        ? null
                        : Geometry.of(
                                spec,
                                problem -> {
                                    if (!problem.equals(
                                            invalidGeometry.put(
                                                    pipelineId + "/" + problem, problem))) {
                                        log.warn("{}; counting without it", problem);
                                    }
                                });
        List<Rule> rules = new ArrayList<>();
        for (RuleSpec ruleSpec : spec.getRules()) {
            try {
                rules.add(Rule.of(ruleSpec));
            } catch (IllegalArgumentException e) {
                String problem = "pipeline " + pipelineId + ": " + e.getMessage();
                if (!problem.equals(
                        invalidGeometry.put(pipelineId + "/rule/" + ruleSpec.getId(), problem))) {
                    log.warn("{}; the rule is left out", problem);
                }
            }
        }
        return new PipelineShapes(
                stored.timestamp(), spec.getVersion(), geometry, List.copyOf(rules));
    }

    /**
     * The stream's pipeline's zones and lines when it has any, else those configured for the
     * stream, else none.
     */
    private Geometry geometry(String streamId, PipelineShapes pipeline) {
        if (pipeline != null && pipeline.geometry() != null) {
            return pipeline.geometry();
        }
        return settings.geometry().getOrDefault(streamId, Geometry.NONE);
    }

    /**
     * Outputs carry the timestamp of the record that released them (or the wall clock in a
     * punctuation), not their capture time: topic retention goes by record timestamps, and a
     * replayed old recording must not have its results deleted as soon as they are written.
     */
    private void emit(String streamId, StreamAggregate.Output output, long timestamp) {
        for (Detections tracked : output.tracked()) {
            context.forward(new Record<>(streamId, tracked, timestamp));
        }
        for (Event event : output.events()) {
            context.forward(new Record<>(streamId, event, timestamp));
            log.info(
                    "rule {} fired on stream {}: {} {}",
                    event.getRuleId(),
                    streamId,
                    event.getKind(),
                    event.getAttributes());
        }
        for (WindowCount count : output.closed()) {
            emit(count, timestamp);
        }
        metrics.results(output.tracked().size());
    }

    /** The configured rules of the stream, and those of its pipeline. */
    private List<Rule> rules(String streamId, PipelineShapes pipeline) {
        List<Rule> rules = new ArrayList<>();
        for (Rule rule : settings.rules()) {
            if (rule.appliesTo(streamId)) {
                rules.add(rule);
            }
        }
        if (pipeline != null) {
            rules.addAll(pipeline.rules());
        }
        return rules;
    }

    private void emit(WindowCount count, long timestamp) {
        String key =
                new CountsKey(
                                count.getStreamId(),
                                count.getLabel(),
                                count.getZone(),
                                count.getWindowStart())
                        .toString();
        counts.put(key, count);
        context.forward(new Record<>(key, count, timestamp));
        if (count.getFinal$()) {
            metrics.windowClosed();
        }
    }

    private void save(String streamId, StreamAggregate aggregate) {
        states.put(streamId, aggregate); // its state is written with the next commit
    }

    private void punctuate(long now) {
        boolean early =
                settings.earlyUpdates() != null
                        && now - lastEarlyUpdate >= settings.earlyUpdates().toMillis();
        for (String streamId : states.streamIds()) {
            StreamAggregate aggregate = aggregate(streamId, null);
            if (!aggregate.hasOpenWork()) {
                continue;
            }
            if (now - aggregate.lastSeenMillis() >= settings.idleTimeout().toMillis()) {
                log.info(
                        "stream {} idle for {}: releasing its held-back results and closing its windows",
                        streamId,
                        Duration.ofMillis(now - aggregate.lastSeenMillis()));
                emit(
                        streamId,
                        aggregate.flush(rules(streamId, pipeline(aggregate.pipelineId()))),
                        now);
                save(streamId, aggregate);
            } else if (early) {
                aggregate.running().forEach(count -> emit(count, now));
            }
        }
        if (early) {
            lastEarlyUpdate = now;
        }
        if (now - lastCleanup >= Duration.ofMinutes(10).toMillis()) {
            lastCleanup = now;
            dropOldCounts(now - settings.countsRetention().toMillis());
        }
    }

    /**
     * Final counts older than the retention leave the store (the counts topic keeps them as
     * configured).
     */
    private void dropOldCounts(long before) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, WindowCount> all = counts.all()) {
            while (all.hasNext()) {
                KeyValue<String, WindowCount> entry = all.next();
                if (entry.value != null && entry.value.getWindowEnd().toEpochMilli() < before) {
                    old.add(entry.key);
                }
            }
        }
        old.forEach(counts::delete);
    }
}
